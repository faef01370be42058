"""Cell safety and download headers shared by every export."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from flask_babel import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
UTF8_BOM = "\ufeff"

Cell = str | int | float | date | None
"""A value of a download: a date is written as ISO text in CSV and as a date cell in Excel."""


@lru_cache(maxsize=8192)
def _lead(char: str) -> int:
    """How a leading character matters: 0 not at all, 1 a space (look further), 2 a trigger."""
    if unicodedata.category(char) == "Zs":
        return 1
    if char in FORMULA_TRIGGERS or unicodedata.normalize("NFKC", char) in FORMULA_TRIGGERS:
        return 2
    return 0


def safe_text(value: str) -> str:
    """Prefix a text cell with an apostrophe when a spreadsheet could read it as a formula.

    Cells that begin with = + - @, a tab, CR or LF — also after leading spaces, and in their
    full-width forms (anything whose NFKC form is a trigger, e.g. ``＝`` or ``﹦``) — get a
    leading ``'``; "spaces" are every Unicode space separator (U+0020, U+3000, U+00A0 …).
    Nothing else is changed, so removing that one character gives the original text back.
    """
    for char in value:  # what a character means is looked up once (exports write millions of cells)
        kind = _lead(char)
        if kind == 2:
            return "'" + value
        if kind == 0:
            return value
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


# Characters that CP932 writes under another code point (the same glyph in Japanese Excel):
# mapped silently, not counted as replacements.
CP932_EQUIVALENTS = str.maketrans({
    "\u301c": "\uff5e",  # 〜 WAVE DASH → FULLWIDTH TILDE
    "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE → PARALLEL TO
    "\u2212": "\uff0d",  # − MINUS SIGN → FULLWIDTH HYPHEN-MINUS
    "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2",
    "\u2014": "\u2015",  # — EM DASH → HORIZONTAL BAR
})
CP932_REPLACEMENT = "\u3013"  # 〓 (geta), the customary mark for a character that cannot be printed


class Cp932Encoder:
    """Encode text chunks to CP932, replacing what it cannot hold by 〓 and counting each one."""

    def __init__(self) -> None:
        self.replaced: dict[str, int] = {}

    def encode(self, text: str) -> bytes:
        text = text.translate(CP932_EQUIVALENTS)
        try:
            return text.encode("cp932")
        except UnicodeEncodeError:
            pass
        out = []
        for char in text:
            try:
                out.append(char.encode("cp932"))
            except UnicodeEncodeError:
                self.replaced[char] = self.replaced.get(char, 0) + 1
                out.append(CP932_REPLACEMENT.encode("cp932"))
        return b"".join(out)

    @property
    def count(self) -> int:
        return sum(self.replaced.values())

    def summary(self) -> str:
        """「U+20BB7 ×2, U+1F600 ×1」 — code points, since the characters cannot be written."""
        return ", ".join(f"U+{ord(c):04X} ×{n}" for c, n in self.replaced.items())

    def note_row(self) -> list[str]:
        """A last CSV row telling the reader what was replaced (only written when something was)."""
        return [_("# 注記"), _("CP932（Shift_JIS）で表せない文字 %(count)s 字を「%(mark)s」に置き換えました："
                                "%(characters)s", count=self.count, mark=CP932_REPLACEMENT,
                                characters=self.summary())]


def encoded_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], encoding: str) -> Iterator[bytes]:
    """CSV bytes: UTF-8 with BOM, or CP932 with a final note row listing any replacements."""
    if encoding != "cp932":
        for chunk in csv_stream(header, rows):
            yield chunk.encode("utf-8")
        return
    encoder = Cp932Encoder()
    for chunk in csv_stream(header, rows, bom=False):
        yield encoder.encode(chunk)
    if encoder.count:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(encoder.note_row())
        yield encoder.encode(buffer.getvalue())
