"""XLSX writer (openpyxl write-only mode): one value per cell, numbers as numbers (unrounded,
shown through a number format), no merged cells, every text cell formula-safe; a table sheet
keeps its heading row in view and has a filter on it; rows go to temporary files, so memory
stays flat."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING

from .cells import Cell, safe_text
from .columns import Column, excel_formats, excel_header, excel_widths

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
# Control characters an XML document cannot hold (tab, line feed and carriage return it can).
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Sheet:
    """A sheet to write: title, header, rows and optional number formats by column index.

    A ``table`` sheet (the default) has its heading row frozen and a filter over all its
    rows; ``freeze_columns`` also keeps that many leftmost columns in view.
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    table: bool = True
    freeze_columns: int = 0

    @classmethod
    def of(cls, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], *,
           freeze_columns: int = 0) -> Sheet:
        """A table sheet whose headings, number formats and widths come from its columns."""
        return cls(title, excel_header(columns), rows, formats=excel_formats(columns),
                   widths=excel_widths(columns), freeze_columns=freeze_columns)


def xlsx_text(value: str) -> str:
    """Formula-safe text without the control characters XML cannot hold (replaced by U+FFFD)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe_text(value))


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes]) -> None:
    """Write the workbook to a binary file object."""
    from openpyxl import Workbook  # slow to import: only when a workbook is written

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        _fill(worksheet, sheet)
    workbook.save(target)


def _fill(worksheet: WriteOnlyWorksheet, sheet: Sheet) -> None:
    for index, width in sheet.widths.items():
        worksheet.column_dimensions[_letter(index)].width = width
    if sheet.table:
        worksheet.freeze_panes = f"{_letter(sheet.freeze_columns)}2"
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    header = []
    for title in sheet.header:
        cell = WriteOnlyCell(worksheet, value=xlsx_text(title))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    formats = sheet.formats
    count = 0
    for row in sheet.rows:
        values: list[object] = []
        for index, value in enumerate(row):
            if isinstance(value, str):
                value = xlsx_text(value)
            if index in formats and isinstance(value, int | float | date):
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = formats[index]
                values.append(cell)
            else:
                values.append(value)
        worksheet.append(values)
        count += 1
    if sheet.table and sheet.header:
        # Written after the rows (write-only mode writes the filter at the end of the sheet).
        worksheet.auto_filter.ref = f"A1:{_letter(len(sheet.header) - 1)}{count + 1}"


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_file(sheets: Sequence[Sheet]) -> IO[bytes]:
    """The workbook in an anonymous temporary file, positioned at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stream_file
    try:
        write_xlsx(sheets, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def stream_file(handle: IO[bytes]) -> Iterator[bytes]:
    """Read a file in chunks and close it at the end (or when the client goes away)."""
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()
