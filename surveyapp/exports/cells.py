"""Cell safety and download headers shared by every export."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
UTF8_BOM = "\ufeff"

Cell = str | int | float | None


def safe_text(value: str) -> str:
    """Prefix a text cell with an apostrophe when a spreadsheet could read it as a formula.

    Cells that begin with = + - @, a tab, CR or LF — also after leading spaces, and in their
    full-width forms — get a leading ``'``; nothing else is changed, so removing that one
    character gives the original text back.
    """
    stripped = value.lstrip(" \u3000")
    if stripped and (stripped[0] in FORMULA_TRIGGERS
                     or unicodedata.normalize("NFKC", stripped[0]) in FORMULA_TRIGGERS):
        return "'" + value
    if value[:1] in ("\t", "\r", "\n"):
        return "'" + value
    return value


def safe_cell(value: Cell) -> Cell:
    """Numbers stay numbers; text is made formula-safe."""
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
               bom: bool = True) -> Iterator[str]:
    """CSV text chunk by chunk (UTF-8 with BOM for Japanese Excel by default), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(UTF8_BOM)
    writer.writerow([safe_text(h) for h in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def attachment_header(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isalnum() or c in "._-" else "_" for c in fallback).strip("_")
    if not fallback or fallback.startswith("."):
        fallback = "download" + fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
