"""XLSX writer (XlsxWriter in constant-memory mode): one value per cell, numbers as numbers
(unrounded, shown through a number format), no merged cells, every text cell formula-safe; a table
sheet keeps its heading row in view and has a filter on it; rows go to temporary files, so memory
stays flat.  XlsxWriter makes the workbook (styles, widths, panes, filter, the zip); the rows'
XML is built here, the same XML XlsxWriter writes, at a fraction of the cost of its per-cell
checks (``docs/performance.md``)."""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from .cells import Cell, safe_text
from .columns import DATE, Column, excel_formats, excel_header, excel_widths

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
PROGRESS_EVERY = 5000
EXCEL_ROWS = 1_048_576  # rows of a sheet, the heading included
ROWS_PER_WRITE = 1000  # rows made before they go to the sheet's temporary file
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

    # constant_memory: rows go to a temporary file as they are made, so memory stays flat (text
    # is written inline, not through the shared-string table).
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
    bold = _style(workbook.add_format({"bold": True}))
    width = max(len(sheet.header), 1)
    cells = _CellXml(workbook, sheet.formats, width)
    rows = [cells.row(1, sheet.header, bold)]
    row_number = 0
    for row_number, row in enumerate(sheet.rows, start=1):
        if row_number < EXCEL_ROWS:  # what does not fit in a sheet is left out, as XlsxWriter does
            width = max(width, len(row))
            rows.append(cells.row(row_number + 1, row))
        if row_number % ROWS_PER_WRITE == 0:
            _append(worksheet, rows)
            if progress is not None and row_number % PROGRESS_EVERY == 0:
                progress(written + row_number)
    _append(worksheet, rows)
    last_row = min(row_number, EXCEL_ROWS - 1)
    if sheet.header or row_number:  # the sheet's dimension (its used range): first and last cell
        worksheet._check_dimensions(0, 0)
        worksheet._check_dimensions(last_row, width - 1)
    if sheet.table and sheet.header:
        worksheet.autofilter(0, 0, last_row, len(sheet.header) - 1)
    return written + row_number


def _append(worksheet: Any, rows: list[str]) -> None:
    """Add rows (ready XML) to the sheet: in constant-memory mode XlsxWriter keeps a sheet's
    rows in a temporary file and copies it into the workbook when it is closed."""
    worksheet.row_data_fh.write("".join(rows))
    rows.clear()


def _style(cell_format: Any) -> str:
    """The ``s`` attribute that gives a cell an XlsxWriter format."""
    return f' s="{cell_format._get_xf_index()}"'


class _CellXml:
    """The XML of a sheet's rows, as XlsxWriter writes them in constant-memory mode (inline
    strings, numbers to 16 significant digits, dates as serial numbers with a date format),
    built here because XlsxWriter's per-cell checks cost more than everything else in a
    million-row download. Text of the label columns repeats a few values a million times, so
    each distinct value is made formula-safe and escaped once."""

    CACHE = 20_000  # distinct texts kept (free text rarely repeats: the cache is emptied when full)

    def __init__(self, workbook: Workbook, formats: dict[int, str], width: int) -> None:
        from xlsxwriter.utility import xl_col_to_name

        styles = {index: _style(workbook.add_format({"num_format": fmt})) for index, fmt in formats.items()}
        self.letters: list[str] = []
        self.styles: list[str] = []
        self.date_styles: list[str] = []
        self._workbook, self._formats = workbook, styles
        self._date = _style(workbook.add_format({"num_format": DATE}))  # a date in a General column
        self._xl_col_to_name = xl_col_to_name
        self._widen(width)
        self.texts: dict[str, str] = {}

    def _widen(self, width: int) -> None:
        for col in range(len(self.letters), width):
            self.letters.append(f'<c r="{self._xl_col_to_name(col)}')
            self.styles.append(self._formats.get(col, ""))
            self.date_styles.append(self._formats.get(col, self._date))

    def row(self, number: int, values: Sequence[Cell], style: str = "") -> str:
        """One ``<row>``; empty cells are left out (and a row without cells altogether)."""
        if len(values) > len(self.letters):
            self._widen(len(values))
        ref = f'{number}"{style}'
        letters, texts = self.letters, self.texts
        out: list[str] = []
        append = out.append
        for col, value in enumerate(values):
            if value is None:
                continue
            letter = letters[col]
            kind = type(value)
            if kind is str:
                text = texts.get(value)  # type: ignore[arg-type]
                append(letter + ref + (text or self._text(value)))  # type: ignore[arg-type]
            elif kind is int:
                append(f"{letter}{ref}{'' if style else self.styles[col]}><v>{value:.16G}</v></c>")
            else:
                append(letter + ref + self._other(col, value, style))
        return f'<row r="{number}">{"".join(out)}</row>' if out else ""

    def _text(self, value: str) -> str:
        if len(self.texts) >= self.CACHE:
            self.texts.clear()
        text = self.texts[value] = _inline_string(value)
        return text

    def _other(self, col: int, value: Cell, style: str) -> str:
        if isinstance(value, str):  # a subclass of str (Markup …)
            return self._text(str(value))
        if isinstance(value, date):
            return f"{'' if style else self.date_styles[col]}><v>{excel_serial(value):.16G}</v></c>"
        number = float(value) if isinstance(value, Fraction) else value
        style = "" if style else self.styles[col]
        if isinstance(number, float) and not math.isfinite(number):  # as XlsxWriter's nan_inf_to_errors
            formula = "#NUM!" if math.isnan(number) else ("1/0" if number > 0 else "-1/0")
            result = "#NUM!" if math.isnan(number) else "#DIV/0!"
            return f'{style} t="e"><f>{formula}</f><v>{result}</v></c>'
        return f"{style}><v>{number:.16G}</v></c>"


EXCEL_EPOCH = datetime(1899, 12, 31)
STRING_MAX = 32_767  # UTF-16 units in one cell
ESCAPED_ESCAPE_RE = re.compile("(_x[0-9a-fA-F]{4}_)")
EDGE_SPACE_RE = re.compile(r"^\s|\s$")


@lru_cache(maxsize=4096)  # a download has a few hundred distinct days
def excel_serial(value: date) -> float:
    """Excel's serial number of a date or naive datetime (1900 date system, with its leap-day
    quirk), computed as XlsxWriter computes it."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment - EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


def _inline_string(value: str) -> str:
    """The rest of an inline-string cell (after its reference): formula-safe text, control
    characters replaced, cut at Excel's limit, a literal ``_xHHHH_`` kept literal, a carriage
    return and the two non-characters escaped, spaces at either end preserved, XML-escaped."""
    text = xlsx_text(value)
    if len(text) > STRING_MAX // 2 and len(text.encode("utf-16-le", "surrogatepass")) // 2 > STRING_MAX:
        text = text.encode("utf-16-le", "surrogatepass")[:STRING_MAX * 2].decode("utf-16-le", "ignore")
    if "_x" in text:
        text = ESCAPED_ESCAPE_RE.sub(r"_x005F\1", text)
    text = (text.replace("\r", "_x000D_").replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    preserve = ' xml:space="preserve"' if EDGE_SPACE_RE.search(text) else ""
    return f' t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


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
