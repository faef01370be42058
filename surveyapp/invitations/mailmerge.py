"""The mail-merge file of a new wave (CSV UTF-8 with BOM, or XLSX), and the invitation URL.

Columns: ``serial`` (通し番号, printed on the letter; the unused list names these), ``frame_id``
(drawn waves only), ``code`` (as printed, e.g. KX7-P42-MRQ), ``url`` (what the QR code holds:
the code-entry URL with the code, for Word's MERGEBARCODE field or any QR tool) and the stratum
columns. Every text cell is formula-safe (``surveyapp.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO

from flask_babel import gettext as _

from ..exports.cells import Cell, csv_stream
from ..exports.xlsx import Sheet, xlsx_file
from .codes import display
from .handover import IssuedInvitation

CODE_PATH = "/i/"
"""Path of the QR URL: ``<base>/i/KX7-P42-MRQ`` (the respondent is then sent to a clean URL)."""


def invitation_url(base_url: str, code: str) -> str:
    """The URL in the QR code of one letter."""
    return f"{base_url.rstrip('/')}{CODE_PATH}{display(code)}"


def merge_header(columns: Sequence[str], *, with_frame: bool) -> list[str]:
    return ["serial", *(["frame_id"] if with_frame else []), "code", "url", *columns]


def merge_rows(rows: Sequence[IssuedInvitation], base_url: str, *, with_frame: bool) -> Iterator[list[Cell]]:
    for row in sorted(rows, key=lambda r: r.serial):
        yield [row.serial, *([row.frame_id] if with_frame else []), row.display_code,
               invitation_url(base_url, row.code), *row.cells]


def merge_csv(columns: Sequence[str], rows: Sequence[IssuedInvitation], base_url: str, *,
              with_frame: bool) -> bytes:
    """CSV, UTF-8 with BOM (what Japanese Excel and Word's mail merge read)."""
    header = merge_header(columns, with_frame=with_frame)
    text = "".join(csv_stream(header, merge_rows(rows, base_url, with_frame=with_frame)))
    return text.encode("utf-8")


def merge_xlsx(columns: Sequence[str], rows: Sequence[IssuedInvitation], base_url: str, *,
               with_frame: bool) -> IO[bytes]:
    """The same as an Excel workbook (a temporary file positioned at its start)."""
    header = merge_header(columns, with_frame=with_frame)
    sheet = Sheet(title=_("差し込み用"), header=header,
                  rows=merge_rows(rows, base_url, with_frame=with_frame),
                  widths={0: 8, 1: 16, 2: 16, 3: 44})
    return xlsx_file([sheet])
