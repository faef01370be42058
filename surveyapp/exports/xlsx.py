"""XLSX writer (openpyxl write-only mode): one value per cell, numbers as numbers, no merged
cells, every text cell formula-safe; rows go to temporary files, so memory stays flat."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .cells import Cell, safe_text

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


@dataclass
class Sheet:
    """A sheet to write: title, header, rows and optional number formats by column index."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)


def xlsx_text(value: str) -> str:
    """Formula-safe text without the control characters XML cannot hold (replaced by U+FFFD)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe_text(value))


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes]) -> None:
    """Write the workbook to a binary file object."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        _fill(worksheet, sheet)
    workbook.save(target)


def _fill(worksheet: WriteOnlyWorksheet, sheet: Sheet) -> None:
    for index, width in sheet.widths.items():
        worksheet.column_dimensions[_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in sheet.header:
        cell = WriteOnlyCell(worksheet, value=xlsx_text(title))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    formats = sheet.formats
    for row in sheet.rows:
        values: list[object] = []
        for index, value in enumerate(row):
            if isinstance(value, str):
                value = xlsx_text(value)
            if index in formats and isinstance(value, int | float):
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = formats[index]
                values.append(cell)
            else:
                values.append(value)
        worksheet.append(values)


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
