"""The Excel workbook of a definition: sheets, columns and how values are written in cells.

Derived from the declarations in ``schema.py``.  Row 1 of each sheet holds Japanese headers,
row 2 the stable keys (``type``, ``text.ja``) by which the reader finds its columns, data starts
in row 3.  Choices are written as their Japanese labels (「単一回答」); the reader accepts a label
or the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...exports.cells import safe_text
from .schema import (
    KPI,
    LANGUAGE_LABELS,
    LANGUAGES,
    OPTION,
    QUESTION,
    STATUS_CHOICES,
    SURVEY,
    Boolean,
    Choices,
    CodeList,
    Enum,
    Field,
    FormatVersion,
    Integer,
    Nested,
    Number,
    Proportion,
    StatusMap,
    Table,
    TableList,
    Text,
    Texts,
    composed,
)

README_SHEET: Final = "説明"
SURVEY_SHEET: Final = "調査"
QUESTIONS_SHEET: Final = "設問"
OPTIONS_SHEET: Final = "選択肢"
KPIS_SHEET: Final = "KPI"

HEADER_ROWS: Final = 2
FIRST_DATA_ROW: Final = HEADER_ROWS + 1
YES: Final = "はい"
NO: Final = "いいえ"
PARENT_KEY: Final = "question"
"""Key of the options sheet's column naming the question an option belongs to."""
PARENT_HEADER: Final = _l("設問キー")
PARENT_HELP: Final = _l("選択肢が属する設問の設問キー。")


@dataclass(frozen=True)
class Column:
    """A column of a row-per-item sheet: a field, or one language of a text field."""

    key: str
    header_text: Text
    field: Field | None = None
    language: str | None = None

    @property
    def header(self) -> str:
        return str(self.header_text)


def _language_header(f: Field, lang: str) -> Text:
    return composed(lambda: _("%(field)s（%(language)s）", field=f.label, language=LANGUAGE_LABELS[lang]))


def columns(table: Table, parent: bool = False) -> list[Column]:
    """The columns of a row-per-item sheet, in declaration order, texts one per language."""
    cols: list[Column] = []
    if parent:
        cols.append(Column(PARENT_KEY, PARENT_HEADER))
    for f in table.fields:
        if isinstance(f.type, TableList):
            continue
        if isinstance(f.type, Texts):
            cols.extend(Column(f"{f.key}.{lang}", _language_header(f, lang), f, lang) for lang in LANGUAGES)
        else:
            cols.append(Column(f.key, f.label, f))
    return cols


QUESTION_COLUMNS: Final = columns(QUESTION)
OPTION_COLUMNS: Final = columns(OPTION, parent=True)
KPI_COLUMNS: Final = columns(KPI)
ROW_SHEETS: Final = ((QUESTIONS_SHEET, QUESTION_COLUMNS), (OPTIONS_SHEET, OPTION_COLUMNS),
                     (KPIS_SHEET, KPI_COLUMNS))

@dataclass(frozen=True)
class Setting:
    """One row of the survey sheet: a survey setting, or one of a nested table's (``report.population``)."""

    path: tuple[str, ...]
    field: Field
    label_text: Text

    @property
    def label(self) -> str:
        return str(self.label_text)

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def value(self, data: Mapping[str, Any]) -> Any:
        value: Any = data
        for part in self.path:
            value = value.get(part) if isinstance(value, Mapping) else None
        return value


def _nested_label(outer: Field, inner: Field) -> Text:
    return composed(lambda: _("%(table)s：%(field)s", table=outer.label, field=inner.label))


def _settings() -> tuple[Setting, ...]:
    rows: list[Setting] = []
    for f in SURVEY.fields:
        if isinstance(f.type, Nested):
            rows.extend(Setting((f.key, inner.key), inner, _nested_label(f, inner))
                        for inner in f.type.table.fields)
        elif not isinstance(f.type, TableList):
            rows.append(Setting((f.key,), f, f.label_text))
    return tuple(rows)


SURVEY_SETTINGS: Final = _settings()
"""One row each on the survey sheet."""
SETTINGS_BY_KEY: Final = {row.key: row for row in SURVEY_SETTINGS}
SURVEY_HEADER: Final[tuple[tuple[str, Text], ...]] = (
    ("label", _l("項目")), ("key", _l("キー")), ("value", _l("値")),
    *((lang, LANGUAGE_LABELS[lang]) for lang in LANGUAGES))
"""Columns of the survey sheet: the setting's name, its key, its value, or one text per language
(headers as lazy strings: ``str()`` them)."""


def per_language(f: Field) -> bool:
    """A survey setting written in the language columns rather than the value column."""
    return isinstance(f.type, Texts | StatusMap)


def choices_of(f: Field) -> Choices | None:
    if isinstance(f.type, Enum):
        return f.type.choices
    if isinstance(f.type, StatusMap):
        return STATUS_CHOICES
    return None


# --------------------------------------------------------------------------- cells


def escape_text(text: str) -> str:
    """Formula-safe text by the rule of every export (``exports.cells.safe_text``): a leading
    apostrophe before a formula trigger, and also before an apostrophe, so that
    :func:`unescape_text` gives back exactly the original text."""
    return "'" + text if text.startswith("'") else safe_text(text)


def unescape_text(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def to_cell(f: Field | None, value: Any) -> Any:
    """The cell value for a field's value (None for an empty cell).  A value of the wrong type
    (a draft still being written) is written as the text it is, to be corrected in Excel."""
    if value is None:
        return None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    match None if f is None else f.type:
        case Boolean() if isinstance(value, bool):
            return YES if value else NO
        case Enum(choices=choices) if value in choices.codes:
            return choices.label(value)
        case CodeList() if isinstance(value, list | tuple):
            return ", ".join(str(code) for code in value) or None
        case Number() if number:
            return int(value) if float(value).is_integer() else value
        case Integer() | Proportion() | FormatVersion() if number:
            return value
    return escape_text(str(value))


_SPLIT_RE: Final = re.compile(r"[\s,、，;；]+")
_NUMBER_RE: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?%?", re.I)


def from_cell(f: Field | None, value: Any) -> Any:
    """A cell's value as the definition's plain data; a value that cannot be understood is
    passed on unchanged, so that the definition's own check reports it."""
    if isinstance(value, str):
        value = unescape_text(value)
    if f is None:
        return _as_text(value)
    match f.type:
        case Boolean():
            if isinstance(value, str) and value.strip().lower() in (YES, "true", "○"):
                return True
            if isinstance(value, str) and value.strip().lower() in (NO, "false", "×"):
                return False
            return value
        case Enum(choices=choices):
            code = choices.code_for(value.strip()) if isinstance(value, str) else None
            return code or value
        case CodeList():
            return [code for code in _SPLIT_RE.split(_as_text(value)) if code]
        case Integer() | FormatVersion():
            number = _number(value)
            return int(number) if isinstance(number, float) and number.is_integer() else number
        case Number() | Proportion():
            return _number(value)
    return _as_text(value)


def _as_text(value: Any) -> Any:
    """Numbers typed into a text cell become text again (「10」 → "10")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> Any:
    """Numbers stay numbers; text such as 「２０２５」 or 「28.4%」 becomes a number."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not _NUMBER_RE.fullmatch(text):
        return value
    number = float(text.rstrip("%"))
    return number / 100 if text.endswith("%") else number


def survey_cell_value(f: Field, value: Any, language: str | None) -> Any:
    """The survey sheet cell of a setting: the value, or one language of a language map."""
    if language is None:
        return to_cell(f, value)
    entry = value.get(language) if isinstance(value, Mapping) else None
    if entry is None:
        return None
    if isinstance(f.type, StatusMap) and entry in STATUS_CHOICES.codes:
        return STATUS_CHOICES.label(entry)
    return escape_text(str(entry))
