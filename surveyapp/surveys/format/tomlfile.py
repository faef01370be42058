"""The TOML front door: definition files as text (UTF-8, a BOM accepted) and back."""

from __future__ import annotations

import os
import pathlib
import re
import tomllib
from typing import Any, Final

import tomli_w
from flask_babel import gettext as _

from .model import SurveyDef
from .parse import validate
from .problems import DefinitionError, Problem, located
from .schema import FORMAT_VERSION
from .serialise import definition_to_dict

_POSITION_RE: Final = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_END_RE: Final = re.compile(r"^(?P<msg>.*) \(at end of document\)$", re.S)


def toml_data(text: str, source: str) -> dict[str, Any]:
    """TOML text → plain data; a syntax error becomes a DefinitionError naming the line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError.of([_syntax_problem(source, str(exc), text)]) from exc


def _syntax_problem(source: str, message: str, text: str) -> Problem:
    m = _POSITION_RE.match(message)
    if m:
        where = _("%(line)s行目 %(column)s文字目", line=m["line"], column=m["col"])
        detail = m["msg"]
    else:
        end = _END_RE.match(message)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = _("%(line)s行目（ファイルの終わり）", line=max(lines, 1))
        detail = end["msg"] if end else message
    return Problem((), _("TOML の書き方の誤りです（%(detail)s）。引用符・括弧の閉じ忘れや、"
                         "= の右側が空になっていないか確かめてください", detail=detail), source, where)


def loads_definition(text: str, source: str = "<definition>") -> SurveyDef:
    """Parse and validate TOML text."""
    defn, problems = validate(toml_data(text, source))
    if defn is None:
        raise DefinitionError.of(located(problems, source))
    return defn


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a leading BOM is dropped); Shift_JIS and other encodings are refused."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DefinitionError.of([Problem(
            (), _("文字コードが UTF-8 ではありません。UTF-8 で保存し直してください（Shift_JIS は読めません）"),
            source, _("%(line)s行目", line=line),
        )]) from exc


def load_definition(path: str | os.PathLike[str]) -> SurveyDef:
    """Read and validate a definition file (UTF-8, a leading BOM is accepted)."""
    source = os.fspath(path)
    try:
        raw = pathlib.Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DefinitionError.of([Problem((), _("ファイルを読めません（%(reason)s）", reason=reason), source)]) from exc
    return loads_definition(decode(raw, source), source)


def dump_definition(defn: SurveyDef) -> str:
    """TOML text for ``defn``; ``loads_definition(dump_definition(d)) == d``."""
    body = tomli_w.dumps(definition_to_dict(defn), multiline_strings=True)
    return f"# Survey definition, format {FORMAT_VERSION} (see docs/survey-format.md).\n\n{body}"
