"""The workbook writer: its rows are the XML XlsxWriter itself writes for the same cells (so the
file opens wherever XlsxWriter's files open), and awkward values come back from the file as the
analyst should see them."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

import openpyxl
import xlsxwriter

from surveyapp.exports.cells import Cell
from surveyapp.exports.columns import COUNT, DATE, RATE
from surveyapp.exports.xlsx import Sheet, write_xlsx, xlsx_text
from surveyapp.timeutil import japan_day, to_japan


class _Text(str):
    """A subclass of str (as Markup is)."""


HEADER = ["番号", "日付", "率", "件数", "文章", "コード"]
FORMATS = {1: DATE, 2: RATE, 3: COUNT}
WIDTHS = {0: 8.0, 4: 40.0}
ROWS: list[list[Cell]] = [
    [1, date(2026, 4, 1), 0.19799999999999995, 12345, "便利です", "satisfied"],
    [2, datetime(2026, 5, 2, 13, 45, 30), 1 / 3, 0, "=1+1", None],
    [3, date(1900, 2, 28), float("nan"), 2**53 + 1, " 先頭に空白", "末尾に空白 "],
    [4, None, float("inf"), -7, "a & b < c > d \"quoted\" 'single'", "@SUM(A1)"],
    [5, date(2026, 3, 31), float("-inf"), True, "_x0041_ stays literal, _xZZZZ_ too", "\ufffe\uffff"],
    [None, None, None, None, None, None],  # a row with no cells at all
    [7, date(2027, 1, 1), Fraction(1, 8), 1e-7, "line\r\nbreak\tand tab", "ctrl\x01\x0b\x1fchars"],
    [8, None, 12.5, None, "絵文字😀と𠮷", "＝全角"],
    [9, None, None, None, "长" * 40_000, "-"],
    [10, None, None, None, _Text("=部分クラス"), None],
]


def _book(sheets: list[Sheet]) -> bytes:
    target = io.BytesIO()
    write_xlsx(sheets, target)
    return target.getvalue()


def _sheet(rows: list[list[Cell]]) -> Sheet:
    return Sheet("回答", HEADER, rows, formats=dict(FORMATS), widths=dict(WIDTHS), freeze_columns=1)


def _reference(rows: list[list[Cell]]) -> bytes:
    """The same sheet written cell by cell through XlsxWriter's own methods."""
    target = io.BytesIO()
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False,
                                            "nan_inf_to_errors": True})
    worksheet = workbook.add_worksheet("回答")
    for index, width in WIDTHS.items():
        worksheet.set_column(index, index, width)
    worksheet.freeze_panes(1, 1)
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(HEADER):
        worksheet.write_string(0, col, title, bold)
    formats = {index: workbook.add_format({"num_format": fmt}) for index, fmt in FORMATS.items()}
    dates = workbook.add_format({"num_format": DATE})
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                worksheet.write_string(number, col, xlsx_text(value))
            elif isinstance(value, date):
                moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                worksheet.write_datetime(number, col, moment, formats.get(col, dates))
            else:
                worksheet.write_number(number, col, value, formats.get(col))
    worksheet.autofilter(0, 0, len(rows), len(HEADER) - 1)
    workbook.close()
    return target.getvalue()


def _part(book: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return archive.read(name)


def test_rows_are_the_xml_xlsxwriter_writes_for_the_same_cells() -> None:
    ours, reference = _book([_sheet(ROWS)]), _reference(ROWS)
    for part in ("xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"):
        assert _part(ours, part) == _part(reference, part), part


def test_awkward_values_come_back_as_written() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_book([_sheet(ROWS)])))["回答"]
    values: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:F11"
    assert values[1][:5] == (1, datetime(2026, 4, 1), 0.198, 12345, "便利です")  # 16 significant digits
    assert [sheet.cell(2, col).number_format for col in (2, 3, 4)] == [DATE, RATE, COUNT]
    assert values[2][1] == datetime(2026, 5, 2, 13, 45, 30) and values[2][2] == 1 / 3
    assert values[2][4] == "'=1+1"  # formula-safe
    assert values[3][2] == "=#NUM!" and values[3][3] == 2**53  # Excel keeps 15-16 significant digits
    assert values[3][4:] == (" 先頭に空白", "末尾に空白 ")  # spaces at either end kept
    assert values[4][2] == "=1/0" and values[4][4] == "a & b < c > d \"quoted\" 'single'"
    assert values[4][5] == "'@SUM(A1)"
    assert values[5][2] == "=-1/0" and values[5][3] == 1
    # Excel reads _xHHHH_ as a character: a literal one is stored with its "_" escaped as _x005F_
    # (openpyxl shows the stored text as it is).
    assert values[5][4] == "_x005F_x0041_ stays literal, _xZZZZ_ too"
    assert values[6] == (None,) * 6  # the empty row
    assert values[7][2] == 0.125 and values[7][3] == 1e-7
    assert values[7][4] == "line_x000D_\nbreak\tand tab"  # a carriage return is kept as Excel's _x000D_
    assert values[7][5] == "ctrl\ufffd\ufffd\ufffdchars"  # what XML cannot hold is replaced
    assert values[8][4:] == ("絵文字😀と𠮷", "'＝全角")
    assert values[9][4] == "长" * 32_767 and values[9][5] == "'-"  # cut at Excel's cell limit
    assert values[10][4] == "'=部分クラス"


def test_markup_in_text_stays_text() -> None:
    rows: list[list[Cell]] = [[1, None, None, None, "<r><t>not markup</t></r>", "<b>x</b>"]]
    sheet = openpyxl.load_workbook(io.BytesIO(_book([_sheet(rows)])))["回答"]
    assert [sheet.cell(2, 5).value, sheet.cell(2, 6).value] == ["<r><t>not markup</t></r>", "<b>x</b>"]


def test_several_sheets_and_an_empty_one() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_book([
        _sheet(ROWS[:2]), Sheet("空", ["見出し"], []), Sheet("説明", ["項目", "値"], [["a", 1]], table=False)])))
    assert book.sheetnames == ["回答", "空", "説明"]
    assert [row[0] for row in book["回答"].iter_rows(values_only=True)] == ["番号", 1, 2]
    assert list(book["空"].iter_rows(values_only=True)) == [("見出し",)]
    assert book["空"].auto_filter.ref == "A1"
    assert list(book["説明"].iter_rows(values_only=True)) == [("項目", "値"), ("a", 1)]
    assert book["説明"].freeze_panes is None and not book["説明"].auto_filter.ref


def test_the_raw_download_dates_each_response_by_its_japan_day() -> None:
    # 14:59 UTC is 23:59 in Japan, 15:00 UTC already the next day; the rule held in the years of
    # summer time (1948–1951) too.
    assert japan_day(datetime(2026, 3, 31, 14, 59)) == date(2026, 3, 31)
    assert japan_day(datetime(2026, 3, 31, 15, 0)) == date(2026, 4, 1)
    moment = datetime(1947, 1, 1)
    while moment < datetime(2031, 1, 1):
        assert japan_day(moment) == to_japan(moment).date(), moment
        moment += timedelta(minutes=1009)


def test_rows_beyond_a_sheets_last_row_are_left_out_as_xlsxwriter_does(monkeypatch: Any) -> None:
    import surveyapp.exports.xlsx as xlsx

    monkeypatch.setattr(xlsx, "EXCEL_ROWS", 4)
    sheet = openpyxl.load_workbook(io.BytesIO(_book([Sheet("回答", ["番号"], [[n] for n in range(1, 7)])])))["回答"]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["番号", 1, 2, 3]
    assert sheet.auto_filter.ref == "A1:A4"
