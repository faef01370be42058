"""XLSX writer (XlsxWriter in constant-memory mode): one value per cell, numbers as numbers
(unrounded, shown through a number format), no merged cells, every text cell formula-safe; a table
sheet keeps its heading row in view and has a filter on it; rows go to temporary files, so memory
stays flat.  XlsxWriter writes a million-row sheet about three times as fast as openpyxl's
write-only mode with half the memory (``docs/performance.md``)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING

from .cells import Cell, safe_text
from .columns import DATE, Column, excel_formats, excel_header, excel_widths

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
PROGRESS_EVERY = 5000
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


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes],
               progress: Callable[[int], None] | None = None) -> None:
    """Write the workbook to a binary file object; ``progress(rows)`` is called every
    :data:`PROGRESS_EVERY` rows written (for a background download's progress bar)."""
    import xlsxwriter  # slow to import: only when a workbook is written

    # constant_memory: each row goes to a temporary file as soon as the next one starts, so
    # memory stays flat (text is written inline, not through the shared-string table).
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False,
                                            "nan_inf_to_errors": True})
    try:
        written = 0
        for sheet in sheets:
            written = _fill(workbook, sheet, written, progress)
    finally:
        workbook.close()


def _fill(workbook: Workbook, sheet: Sheet, written: int, progress: Callable[[int], None] | None) -> int:
    worksheet = workbook.add_worksheet(sheet.title[:31])
    for index, width in sheet.widths.items():
        worksheet.set_column(index, index, width)
    if sheet.table:
        worksheet.freeze_panes(1, sheet.freeze_columns)
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(sheet.header):
        worksheet.write_string(0, col, xlsx_text(title), bold)
    formats = {index: workbook.add_format({"num_format": fmt}) for index, fmt in sheet.formats.items()}
    dates = workbook.add_format({"num_format": DATE})  # for a date in a column with no declared format
    write_string, write_number, write_datetime = (worksheet.write_string, worksheet.write_number,
                                                  worksheet.write_datetime)
    row_number = 0
    for row_number, row in enumerate(sheet.rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                write_string(row_number, col, xlsx_text(value))
            elif isinstance(value, date):
                moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                write_datetime(row_number, col, moment, formats.get(col, dates))
            else:
                write_number(row_number, col, value, formats.get(col))
        if progress is not None and row_number % PROGRESS_EVERY == 0:
            progress(written + row_number)
    if sheet.table and sheet.header:
        worksheet.autofilter(0, 0, row_number, len(sheet.header) - 1)
    return written + row_number


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
