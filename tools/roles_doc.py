"""Write docs/roles.md from the roles table and the URL map: ``make roles-doc``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from surveyapp import create_app
from surveyapp.auth.roles_doc import roles_markdown

TARGET = Path(__file__).resolve().parents[1] / "docs" / "roles.md"


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": "x" * 40,
                          "DATABASE_URL": "sqlite://"})
        with app.test_request_context():
            text = roles_markdown(app)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(TARGET.parents[1])}", file=sys.stderr)


if __name__ == "__main__":
    main()
