"""Starting the app (every ``flask`` command, every worker) loads no library that only some
pages or commands need: those take longer to import than the rest of the app together."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLOW_TO_IMPORT = ("numpy", "scipy", "openpyxl", "xlsxwriter", "PIL", "babel.messages.frontend", "phonenumbers")


def test_a_command_starts_without_the_slow_libraries(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from surveyapp import create_app\n"
        f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/start.sqlite3', 'INSTANCE_PATH': r'{tmp_path}',"
        " 'SECRET_KEY': 'k' * 40})\n"
        f"print(' '.join(m for m in {SLOW_TO_IMPORT!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.split() == []

