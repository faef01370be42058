"""Writes the Excel twins of the broken TOML files in tests/surveys/data/corpus/.

Each ``NAME.xlsx`` is the workbook of ``base.toml`` with the same mistakes made by editing cells
as staff would in Excel, so that both files must give the same problems.  Run after a change of
the workbook layout:  .venv/bin/python -m tests.surveys.make_corpus
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from surveyapp.surveys.definitions import load_definition
from surveyapp.surveys.format.workbook_write import definition_workbook

CORPUS = pathlib.Path(__file__).parent / "data" / "corpus"


def _columns(ws: Worksheet) -> dict[str, int]:
    return {str(cell.value): cell.column for cell in ws[2] if cell.value is not None}


def _row(ws: Worksheet, where: dict[str, str]) -> int:
    cols = _columns(ws)
    for r in range(3, ws.max_row + 1):
        if all(ws.cell(row=r, column=cols[k]).value == v for k, v in where.items()):
            return r
    raise LookupError(where)


def set_cell(sheet: str, where: dict[str, str], key: str, value: Any) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.cell(row=_row(ws, where), column=_columns(ws)[key]).value = value
    return edit


def add_column(sheet: str, key: str, header: str) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        column = ws.max_column + 1
        ws.cell(row=1, column=column, value=header)
        ws.cell(row=2, column=column, value=key)
    return edit


def add_row(sheet: str, values: dict[str, Any]) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        cols = _columns(ws)
        row = max(r for r in range(1, ws.max_row + 1) if any(c.value is not None for c in ws[r])) + 1
        for key, value in values.items():
            ws.cell(row=row, column=cols[key], value=value)
    return edit


def delete_row(sheet: str, where: dict[str, str]) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.delete_rows(_row(ws, where))
    return edit


EDITS: dict[str, list[Callable[[Workbook], None]]] = {
    "unknown_keys": [
        set_cell("調査", {"key": "title"}, "key", "titel"),
        add_column("設問", "requird", "必須？"),
        set_cell("設問", {"key": "satisfaction"}, "requird", "はい"),
        set_cell("設問", {"key": "satisfaction"}, "required", None),
    ],
    "duplicates": [
        set_cell("選択肢", {"code": "dissatisfied"}, "code", "satisfied"),
        set_cell("設問", {"key": "comment"}, "key", "used"),
        set_cell("選択肢", {"code": "train"}, "text.ja", "バス"),
    ],
    "missing_japanese": [
        set_cell("設問", {"key": "satisfaction"}, "text.ja", None),
        set_cell("選択肢", {"code": "dissatisfied"}, "text.ja", None),
    ],
    "kpi_references": [
        set_cell("KPI", {"key": "satisfaction_rate"}, "success", "satisfied, very_satisfied, not_used"),
        add_row("KPI", {"key": "bus_rate", "title.ja": "バスを利用した市民の割合", "headline.ja": "「バス」",
                        "question": "satisfactoin", "success": "satisfied", "direction": "上げる",
                        "baseline_value": 0.1, "baseline_fiscal_year": 2025, "target_fiscal_year": 2030}),
    ],
    "values": [
        set_cell("調査", {"key": "audience"}, "value", "citizens"),
        set_cell("設問", {"key": "satisfaction"}, "type", "radio"),
        set_cell("設問", {"key": "used"}, "required", "yes"),
        set_cell("設問", {"key": "used"}, "max_length", 10),
        set_cell("選択肢", {"code": "not_used"}, "score", 0),
        set_cell("KPI", {"key": "satisfaction_rate"}, "direction", "increase"),
        set_cell("KPI", {"key": "satisfaction_rate"}, "baseline_value", 28.4),
        set_cell("KPI", {"key": "satisfaction_rate"}, "baseline_fiscal_year", 7),
    ],
    "pages": [
        set_cell("設問", {"key": "satisfaction"}, "page", 2),
        set_cell("設問", {"key": "used"}, "page", 1),
    ],
    "translations": [
        set_cell("選択肢", {"code": "train"}, "text.en", None),
        set_cell("設問", {"key": "comment"}, "text.ja-easy", "ごいけんを かいて ください。"),
    ],
    "options": [
        delete_row("選択肢", {"code": "train"}),
        add_row("選択肢", {"question": "comment", "code": "none", "text.ja": "特にない", "text.en": "Nothing"}),
        add_row("設問", {"key": "age", "type": "単一回答", "text.ja": "年齢", "text.en": "Age"}),
    ],
    # Only in a workbook: a formula, and an option of a question that is not there.
    "excel_only": [
        set_cell("設問", {"key": "comment"}, "text.ja", "=CONCAT(\"ご意見\",\"を\")"),
        set_cell("選択肢", {"code": "train"}, "question", "usde"),
    ],
}


def main() -> None:
    base = definition_workbook(load_definition(CORPUS / "base.toml"))
    for name, edits in EDITS.items():
        wb = load_workbook(io.BytesIO(base))
        for edit in edits:
            edit(wb)
        wb.save(CORPUS / f"{name}.xlsx")
        print(f"wrote {name}.xlsx")


if __name__ == "__main__":
    main()
