"""A definition (or a blank template) → an Excel workbook that staff can edit and load back.

Sheets: 説明 (how to edit, every column, every list), 調査 (one row per setting), 設問, 選択肢
and KPI (one row per item, one column per language).  Headers are frozen, choices have
drop-down lists, text cells are formula-safe.  The bytes are reproducible: the same definition
always gives the same file.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .model import SurveyDef
from .schema import (
    FORMAT_VERSION,
    KPI,
    OPTION,
    QUESTION,
    SURVEY,
    TEXT_MAX_LENGTH_DEFAULT,
    TEXT_SHORT_MAX_LENGTH_DEFAULT,
    Boolean,
    Choices,
    Field,
    Proportion,
    Table,
    TableList,
    Text,
    Texts,
)
from .serialise import definition_to_dict
from .workbook_layout import (
    FIRST_DATA_ROW,
    KPIS_SHEET,
    NO,
    OPTIONS_SHEET,
    PARENT_HEADER,
    PARENT_HELP,
    PARENT_KEY,
    QUESTIONS_SHEET,
    README_SHEET,
    ROW_SHEETS,
    SURVEY_HEADER,
    SURVEY_SETTINGS,
    SURVEY_SHEET,
    YES,
    Column,
    choices_of,
    per_language,
    survey_cell_value,
    to_cell,
)

LAST_VALIDATED_ROW: Final = 1000
_FIXED_TIME: Final = (2026, 1, 1, 0, 0, 0)
_CORE_TIME_RE: Final = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")

_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_KEY_FONT: Final = Font(color="595959", size=9)
_KEY_FILL: Final = PatternFill("solid", fgColor="F2F2F2")
_WRAP: Final = Alignment(wrap_text=True, vertical="top")
_TOP: Final = Alignment(vertical="top")


def definition_workbook(defn: SurveyDef | None) -> bytes:
    """The workbook of ``defn``, or the blank template when ``defn`` is None."""
    if defn is None:
        return _workbook(_blank(), _("新しい調査のひな形"))
    return _workbook(definition_to_dict(defn), _("調査「%(title)s」（%(key)s）", title=defn.title["ja"], key=defn.key))


def data_workbook(data: Mapping[str, Any]) -> bytes:
    """The workbook of a definition's plain data as it is, problems included (a draft being
    written in the browser), so that it can be finished in Excel and loaded back."""
    title = data.get("title")
    name = title.get("ja") if isinstance(title, Mapping) else None
    key = data.get("key")
    if isinstance(name, str):
        what = _("調査「%(title)s」（%(key)s）", title=name, key=key)
    else:
        what = _("調査 %(key)s", key=key)
    return _workbook(copy.deepcopy(dict(data)), what)


def _workbook(data: dict[str, Any], what: str) -> bytes:
    _spell_defaults_implicitly(data)
    wb = Workbook()
    _readme(wb.active, what)
    _survey_sheet(wb.create_sheet(SURVEY_SHEET), data)
    questions = _rows(data.get("questions"))
    rows = {
        QUESTIONS_SHEET: [(None, q) for q in questions],
        OPTIONS_SHEET: [(q.get("key"), o) for q in questions for o in _rows(q.get("options"))],
        KPIS_SHEET: [(None, k) for k in _rows(data.get("kpis"))],
    }
    for title, cols in ROW_SHEETS:
        _row_sheet(wb.create_sheet(title), cols, rows[title])
    return _reproducible(wb)


def _rows(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _blank() -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "default_language": "ja", "public_results": False,
            "translation_status": {"ja": "reviewed"}, "questions": [], "kpis": []}


def _spell_defaults_implicitly(data: dict[str, Any]) -> None:
    """Leave out page numbers that are the automatic ones and default text lengths, so that
    staff can add a row without numbering pages or copying limits (the definition is the same)."""
    questions = _rows(data.get("questions"))
    if all(q.get("page") == n for n, q in enumerate(questions, 1)):
        for q in questions:
            q.pop("page", None)
    defaults = {"text": TEXT_SHORT_MAX_LENGTH_DEFAULT, "textarea": TEXT_MAX_LENGTH_DEFAULT}
    for q in questions:
        if "max_length" in q and q["max_length"] == defaults.get(q.get("type", "")):
            q.pop("max_length")


def _header(ws: Worksheet, cells: Sequence[tuple[str, Text, str]], widths: Sequence[float]) -> None:
    """Row 1: Japanese headers (help as a comment); row 2: the stable keys."""
    for col, ((key, header, help_text), width) in enumerate(zip(cells, widths, strict=True), 1):
        top = ws.cell(row=1, column=col, value=str(header))
        top.font, top.fill, top.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        if help_text:
            top.comment = Comment(help_text, "surveyapp", width=320, height=120)
        second = ws.cell(row=2, column=col, value=key)
        second.font, second.fill = _KEY_FONT, _KEY_FILL
        ws.column_dimensions[get_column_letter(col)].width = width


def _width(f: Field | None) -> float:
    if f is not None and isinstance(f.type, Texts):
        return 36
    return 16


def _row_sheet(ws: Worksheet, cols: Sequence[Column], rows: Iterable[tuple[str | None, dict[str, Any]]]) -> None:
    _header(ws, [(c.key, c.header, c.field.help if c.field else str(PARENT_HELP)) for c in cols],
            [_width(c.field) for c in cols])
    for r, (parent, item) in enumerate(rows, FIRST_DATA_ROW):
        for col, column in enumerate(cols, 1):
            if column.field is None:
                value = parent
            elif column.language is not None:
                value = (item.get(column.field.key) or {}).get(column.language)
            else:
                value = item.get(column.field.key)
            cell = ws.cell(row=r, column=col, value=to_cell(column.field, value))
            cell.alignment = _WRAP if column.language else _TOP
            if column.field is not None and isinstance(column.field.type, Proportion):
                cell.number_format = "0.0##%"
    for col, column in enumerate(cols, 1):
        choices = _list_of(column.field)
        if choices:
            letter = get_column_letter(col)
            _validate(ws, choices, f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}")
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=2)


def _list_of(f: Field | None) -> list[str]:
    if f is None:
        return []
    if isinstance(f.type, Boolean):
        return [YES, NO]
    choices: Choices | None = choices_of(f)
    return [item.label for item in choices.items] if choices else []


def _validate(ws: Worksheet, labels: Sequence[str], ranges: str) -> None:
    rule = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle=_("一覧にない値です"),
                          error=_("一覧から選んでください: %(choices)s", choices=_("、").join(labels)))
    rule.add(ranges)
    ws.add_data_validation(rule)


def _survey_sheet(ws: Worksheet, data: dict[str, Any]) -> None:
    _header(ws, [(key, header, "") for key, header in SURVEY_HEADER],
            [18, 20, 22, *([36] * (len(SURVEY_HEADER) - 3))])
    for r, setting in enumerate(SURVEY_SETTINGS, FIRST_DATA_ROW):
        f = setting.field
        label = ws.cell(row=r, column=1, value=setting.label)
        label.comment = Comment(f.help, "surveyapp", width=320, height=120)
        ws.cell(row=r, column=2, value=setting.key).font = _KEY_FONT
        value = setting.value(data)
        if per_language(f):
            for col, (lang, _header_text) in enumerate(SURVEY_HEADER[3:], 4):
                cell = ws.cell(row=r, column=col, value=survey_cell_value(f, value, lang))
                cell.alignment = _WRAP
        else:
            ws.cell(row=r, column=3, value=survey_cell_value(f, value, None)).alignment = _TOP
        labels = _list_of(f)
        if labels:
            first, last = (4, len(SURVEY_HEADER)) if per_language(f) else (3, 3)
            _validate(ws, labels, f"{get_column_letter(first)}{r}:{get_column_letter(last)}{r}")
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=4)


# --------------------------------------------------------------------------- 説明


def _readme(ws: Worksheet, what: str) -> None:
    ws.title = README_SHEET
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 8
    ws.column_dimensions["E"].width = 70
    lines = [
        _("調査定義ワークブック（形式 %(version)s）: %(what)s", version=FORMAT_VERSION, what=what),
        "",
        _("このブックを編集して保存し、flask surveys load ファイル名.xlsx で読み込むと、"
          "内容を確かめてから新しい版として保存します。"),
        _("問題があれば、シート・行・列と直し方を示し、何も保存しません。"),
        "",
        _("・各シートの1行目は見出し、2行目は項目のキーです。2行目は変えないでください（列の並べ替えや追加はできます）。"),
        _("・3行目から、1行に1つずつ書きます。行の順番が画面に出る順番です。空の行は読み飛ばします。"),
        _("・選択肢は「選択肢」シートに1行ずつ書き、「設問キー」列で設問に結び付けます。"),
        _("・文は言語ごとの列に書きます。日本語はいつも必要です。翻訳の状態（「調査」シート）に挙げた言語は、"
          "すべての文に必要です。"),
        _("・種類・必須・方向などは、セルの一覧から選びます（コードで書いても読めます）。"),
        _("・基準値と目標値は割合です。28.4% と入力すると 0.284 として保存されます。"),
        _("・「ページ」を空にすると、1問ずつのページになります。書くときはすべての設問に書きます。"),
        _("・「=」「+」「-」「@」や「'」で始まる文は、数式にならないよう先頭に「'」を付けて書き出しています。"
          "読み込むときに1文字外します。数式は使えません。"),
        _("・2行目が空の列は読みません（メモに使えます）。このシート（説明）も読みません。"),
        _("・キーとコードは版が変わっても変えないでください。回答はキーとコードで集計します。"),
        "",
    ]
    for r, line in enumerate(lines, 1):
        ws.cell(row=r, column=1, value=line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    r = len(lines) + 1
    ws.cell(row=r, column=1, value=_("列の一覧")).font = _HEADER_FONT
    r += 1
    for c, text in enumerate((_("シート"), _("見出し"), _("キー"), _("必須"), _("説明")), 1):
        cell = ws.cell(row=r, column=c, value=text)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    sheets: list[tuple[str, Table]] = [(SURVEY_SHEET, SURVEY), (QUESTIONS_SHEET, QUESTION),
                                       (OPTIONS_SHEET, OPTION), (KPIS_SHEET, KPI)]
    for sheet, table in sheets:
        for f in table.fields:
            if isinstance(f.type, TableList):
                continue
            r += 1
            key = _("%(key)s.<言語>", key=f.key) if isinstance(f.type, Texts) and sheet != SURVEY_SHEET else f.key
            for c, text in enumerate((sheet, f.label, key, _("必須") if f.required else "", f.help), 1):
                ws.cell(row=r, column=c, value=text).alignment = _WRAP
        if sheet == OPTIONS_SHEET:
            r += 1
            for c, text in enumerate((sheet, str(PARENT_HEADER), PARENT_KEY, _("必須"), str(PARENT_HELP)), 1):
                ws.cell(row=r, column=c, value=text).alignment = _WRAP
    ws.freeze_panes = None


# --------------------------------------------------------------------------- bytes


def _reproducible(wb: Workbook) -> bytes:
    """Save with fixed timestamps (in the ZIP entries and the document properties)."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME_RE.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
