"""The Excel front door: a workbook (as written by ``workbook_write``, edited in Excel) → the
definition's plain data, validated like a TOML file.

Columns are found by the stable keys in row 2, so columns may be moved; a column whose row 2
is empty is not read.  Every problem names the sheet, row and column, then the same key path and
message as from a TOML file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .model import SurveyDef
from .parse import validate
from .problems import DefinitionError, KeyPath, Problem, located
from .schema import KPI, OPTION, QUESTION, STATUS_CHOICES, Field, StatusMap, Table, Texts
from .workbook_layout import (
    KPIS_SHEET,
    OPTIONS_SHEET,
    PARENT_HEADER,
    PARENT_KEY,
    QUESTIONS_SHEET,
    ROW_SHEETS,
    SETTINGS_BY_KEY,
    SURVEY_HEADER,
    SURVEY_SHEET,
    Column,
    from_cell,
    per_language,
    unescape_text,
)

MAX_ROWS: Final = 2000
"""Data rows read per sheet at most (a survey has far fewer)."""
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Place:
    """A sheet, optionally a row, optionally a column, of the workbook."""

    sheet: str
    row: int | None = None
    column: int | None = None
    header: str = ""

    def __str__(self) -> str:
        text = _("「%(sheet)s」シート", sheet=self.sheet)
        if self.row is not None:
            text += _(" %(row)s行目", row=self.row)
        if self.column is not None:
            text += _(" %(column)s列", column=get_column_letter(self.column))
            if self.header:
                text += _("「%(header)s」", header=self.header)
        return text


@dataclass
class _Sheet:
    """The cells of one sheet: header texts and keys by column, data rows with their numbers."""

    title: str
    headers: dict[int, str]
    keys: dict[int, str]
    rows: list[tuple[int, dict[int, Any]]] = field(default_factory=list)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.places: dict[KeyPath, Place] = {}

    def problem(self, place: Place, message: str) -> None:
        self.problems.append(Problem((), message, self.source, str(place)))

    def fail(self, message: str, place: Place | None = None) -> DefinitionError:
        return DefinitionError.of([*self.problems, Problem((), message, self.source, str(place or ""))])

    def where(self, path: KeyPath) -> str:
        for end in range(len(path), -1, -1):
            place = self.places.get(path[:end])
            if place is not None:
                return str(place)
        return ""


def loads_workbook(content: bytes, source: str = "<workbook>") -> SurveyDef:
    """Read and validate a workbook; raise DefinitionError naming sheet, row and column."""
    reader = _Reader(source)
    data = _read(reader, content)
    defn, problems = validate(data)
    if reader.problems or defn is None:
        # A cell refused by the reader (a formula) is not reported a second time as empty.
        refused = {p.where for p in reader.problems}
        checked = [p for p in located(problems, source, reader.where) if p.where not in refused]
        raise DefinitionError.of([*reader.problems, *checked])
    return defn


def _read(reader: _Reader, content: bytes) -> dict[str, Any]:
    if content[:4] == _OLE_MAGIC:
        raise reader.fail(_("古い Excel 形式（.xls）か、パスワード付きのブックです。パスワードを外し、"
                            "「Excel ブック (*.xlsx)」の形式で保存し直してください"))
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # any damaged or foreign file: a message, never a crash
        reason = _("ZIP ではありません") if isinstance(exc, zipfile.BadZipFile) else type(exc).__name__
        raise reader.fail(_("Excel ブック（.xlsx）として読めません（%(reason)s）。"
                            "Excel で「Excel ブック (*.xlsx)」の形式で保存してください", reason=reason)) from exc
    try:
        missing = [t for t in (SURVEY_SHEET, QUESTIONS_SHEET, OPTIONS_SHEET, KPIS_SHEET) if t not in wb.sheetnames]
        if missing:
            raise reader.fail(_("シート%(sheets)sがありません。ひな形のシート名を変えずに使ってください",
                                sheets=_("・").join(_("「%(sheet)s」", sheet=t) for t in missing)))
        sheets = {title: _sheet(reader, wb[title]) for title in wb.sheetnames if title in (
            SURVEY_SHEET, QUESTIONS_SHEET, OPTIONS_SHEET, KPIS_SHEET)}
    finally:
        wb.close()
    data = _survey(reader, sheets[SURVEY_SHEET])
    columns = {title: {c.key: c for c in cols} for title, cols in ROW_SHEETS}
    questions = _items(reader, sheets[QUESTIONS_SHEET], QUESTION, columns[QUESTIONS_SHEET], ("questions",))
    data["questions"] = [item for _, item in questions]
    reader.places[("questions",)] = Place(QUESTIONS_SHEET)
    _options(reader, sheets[OPTIONS_SHEET], columns[OPTIONS_SHEET], data["questions"])
    kpis = _items(reader, sheets[KPIS_SHEET], KPI, columns[KPIS_SHEET], ("kpis",))
    if kpis:
        data["kpis"] = [item for _, item in kpis]
    reader.places[("kpis",)] = Place(KPIS_SHEET)
    return data


def _cells(ws: ReadOnlyWorksheet) -> Iterator[tuple[int, dict[int, Any]]]:
    for r, row in enumerate(ws.iter_rows(), 1):
        yield r, {c: cell for c, cell in enumerate(row, 1) if getattr(cell, "value", None) is not None}


def _sheet(reader: _Reader, ws: ReadOnlyWorksheet) -> _Sheet:
    """The header rows and the non-empty data rows of a sheet (formulas are refused)."""
    title = str(ws.title)
    known = _known_headers(title)
    sheet = _Sheet(title, {}, {})
    for r, cells in _cells(ws):
        if r == 1:
            sheet.headers = {c: str(cell.value) for c, cell in cells.items()}
            continue
        if r == 2:
            for c, cell in cells.items():
                sheet.keys[c] = str(cell.value).strip()
            for c, header in sheet.headers.items():  # row 2 emptied: find the column by its header
                if c not in sheet.keys and header in known:
                    sheet.keys[c] = known[header]
            continue
        values: dict[int, Any] = {}
        for c, cell in cells.items():
            if c not in sheet.keys:
                continue
            place = Place(title, r, c, sheet.headers.get(c, ""))
            if cell.data_type == "f":
                reader.problem(place, _("数式は使えません。値を直接入力してください"
                                        "（「=」で始まる文は、先頭に「'」を付けて入力します）"))
            elif cell.data_type == "e":
                reader.problem(place, _("エラー値 %(value)s が入っています。値を入力してください", value=cell.value))
            elif cell.value != "":
                values[c] = cell.value
        if values:
            if len(sheet.rows) >= MAX_ROWS:
                reader.problem(Place(title, r), _("行が多すぎます（1シート %(max)s 行まで）", max=MAX_ROWS))
                break
            sheet.rows.append((r, values))
    if not sheet.keys:
        raise reader.fail(_("2行目に列のキーがありません。ひな形の1〜2行目を消さずに使ってください"), Place(title, 2))
    seen: dict[str, int] = {}
    for c, key in sheet.keys.items():
        if key in seen:
            reader.problem(Place(title, 2, c), _('キー "%(key)s" の列が2つあります（%(column)s列）',
                                                 key=key, column=get_column_letter(seen[key])))
        seen.setdefault(key, c)
    return sheet


def _known_headers(title: str) -> dict[str, str]:
    if title == SURVEY_SHEET:
        return {str(header): key for key, header in SURVEY_HEADER}
    return {c.header: c.key for t, cols in ROW_SHEETS if t == title for c in cols}


def _put(item: dict[str, Any], key: str, table: Table, value: Any) -> None:
    """Store a cell under its column key: ``text.ja`` goes into the ``text`` table."""
    name, dot, lang = key.partition(".")
    f: Field | None = table.field(name) if name in table.keys else None
    if dot:
        if not isinstance(item.get(name), dict):
            item[name] = {}
        item[name][lang] = from_cell(None, value)
    else:
        item[key] = from_cell(f, value)


def _items(reader: _Reader, sheet: _Sheet, table: Table, cols: dict[str, Column],
           path: KeyPath) -> list[tuple[int, dict[str, Any]]]:
    """One table per data row, remembering where each value came from."""
    items: list[tuple[int, dict[str, Any]]] = []
    for r, values in sheet.rows:
        item: dict[str, Any] = {}
        item_path = path + (len(items),)
        for c, value in values.items():
            _put(item, sheet.keys[c], table, value)
        items.append((r, item))
        _remember(reader, sheet, r, item_path, cols)
    return items


def _remember(reader: _Reader, sheet: _Sheet, r: int, path: KeyPath, cols: dict[str, Column]) -> None:
    reader.places[path] = Place(sheet.title, r)
    for c, key in sheet.keys.items():
        place = Place(sheet.title, r, c, sheet.headers.get(c, ""))
        name, dot, lang = key.partition(".")
        reader.places[path + ((name, lang) if dot else (key,))] = place
        column = cols.get(key)
        if column is not None and column.language == "ja" and column.field is not None:
            reader.places.setdefault(path + (column.field.key,), place)


def _options(reader: _Reader, sheet: _Sheet, cols: dict[str, Column], questions: list[dict[str, Any]]) -> None:
    """Each option row joins the question named in its 設問キー column."""
    parent_column = next((c for c, key in sheet.keys.items() if key == PARENT_KEY), None)
    for r, values in sheet.rows:
        place = Place(sheet.title, r, parent_column, str(PARENT_HEADER))
        parent = from_cell(None, values.get(parent_column)) if parent_column else None
        if parent is None:
            reader.problem(place, _("設問キーがありません"
                                    "（この選択肢がどの設問のものか、「設問キー」列に書いてください）"))
            continue
        index = next((i for i, q in enumerate(questions) if q.get("key") == parent), None)
        if index is None:
            reader.problem(place, _('設問キー "%(key)s" の設問が「%(sheet)s」シートにありません',
                                    key=parent, sheet=QUESTIONS_SHEET))
            continue
        options = questions[index].setdefault("options", [])
        item: dict[str, Any] = {}
        for c, value in values.items():
            if c != parent_column:
                _put(item, sheet.keys[c], OPTION, value)
        path: KeyPath = ("questions", index, "options", len(options))
        options.append(item)
        _remember(reader, sheet, r, path, cols)


def _survey(reader: _Reader, sheet: _Sheet) -> dict[str, Any]:
    """The survey sheet: one row per setting, its value or one text per language."""
    by_key = {key: c for c, key in sheet.keys.items()}
    key_col, value_col = by_key.get("key"), by_key.get("value")
    if key_col is None or value_col is None:
        raise reader.fail(_("「キー」列か「値」列がありません。ひな形の列を消さずに使ってください"),
                          Place(sheet.title, 2))
    languages = {c: key for c, key in sheet.keys.items() if c not in (key_col, value_col) and key != "label"}
    data: dict[str, Any] = {}
    reader.places[()] = Place(sheet.title)
    for r, values in sheet.rows:
        name = from_cell(None, values.get(key_col))
        if name is None:
            if any(c in languages or c == value_col for c in values):
                reader.problem(Place(sheet.title, r, key_col, _("キー")), _("この行のキーがありません"))
            continue
        name = unescape_text(str(name))
        setting = SETTINGS_BY_KEY.get(name)
        f = setting.field if setting is not None else None
        path = setting.path if setting is not None else (name,)
        target = data
        for part in path[:-1]:  # a nested table's setting (report.population)
            target = target.setdefault(part, {})
        name = path[-1]
        wants_languages = f is not None and per_language(f)
        reader.places[path] = Place(sheet.title, r, None if wants_languages else value_col,
                                    "" if wants_languages else _("値"))
        texts = {languages[c]: v for c, v in values.items() if c in languages}
        if wants_languages:
            assert f is not None
            if value_col in values:
                reader.problem(Place(sheet.title, r, value_col, _("値")),
                               _("この項目は「値」列ではなく、言語ごとの列に書いてください"))
            for c, lang in languages.items():
                place = Place(sheet.title, r, c, sheet.headers.get(c, lang))
                reader.places[(*path, lang)] = place
                if lang == "ja":
                    reader.places[path] = place
            if texts:
                target[name] = {lang: _language_value(f, v) for lang, v in texts.items()}
        else:
            if texts and f is not None:
                reader.problem(Place(sheet.title, r), _("この項目は言語ごとの列ではなく、「値」列に書いてください"))
            if value_col in values:
                target[name] = from_cell(f, values[value_col])
            elif texts:
                target[name] = {lang: from_cell(None, v) for lang, v in texts.items()}
    return data


def _language_value(f: Field, value: Any) -> Any:
    if isinstance(f.type, StatusMap) and isinstance(value, str):
        return STATUS_CHOICES.code_for(value.strip()) or value
    assert isinstance(f.type, Texts | StatusMap)
    return from_cell(None, value)
