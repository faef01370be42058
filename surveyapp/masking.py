"""Phone numbers and e-mail addresses that respondents type into free text, found so that staff
pages and downloads can hide them by default (pure helpers: no app or request needed; the words
shown for what was hidden are lazy Flask-Babel strings).

Phone numbers are found by libphonenumber's matcher for Japan (mobile, landline, toll-free, IP
phone and international numbers; hyphens, brackets, spaces; full-width digits); only numbers
valid for their region count, so a date, a price or a postal code is left alone. E-mail addresses
are found by a pattern. Both look at a copy of the text in which each full-width character is
replaced by its half-width form, one character for one, so the positions found are positions in
the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

PHONE = "phone"
EMAIL = "email"
PLACEHOLDERS = {PHONE: _l("［電話番号］"), EMAIL: _l("［メールアドレス］")}
KIND_NAMES = {PHONE: _l("電話番号"), EMAIL: _l("メールアドレス")}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MIN_PHONE_DIGITS = 10  # the shortest Japanese number with its area code (e.g. 058-383-1111)
_REGION = "JP"


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str  # PHONE or EMAIL


def _half_width(text: str) -> str:
    """The text with each character replaced by its NFKC form where that is one character."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def find_contacts(text: str) -> list[Found]:
    """Phone numbers and e-mail addresses in ``text``, in order, not overlapping."""
    if not text:
        return []
    shadow = _half_width(text)
    found = [Found(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(shadow)] if "@" in shadow else []
    if sum(char.isdigit() for char in shadow) >= _MIN_PHONE_DIGITS:
        import phonenumbers  # slow to import: only for text that may hold a number

        for match in phonenumbers.PhoneNumberMatcher(shadow, _REGION, leniency=phonenumbers.Leniency.VALID):
            if not any(match.start < item.end and item.start < match.end for item in found):
                found.append(Found(match.start, match.end, PHONE))
    return sorted(found, key=lambda item: item.start)


def segments(text: str, found: list[Found] | None = None) -> list[tuple[str, str | None]]:
    """The text cut into (piece, kind) pairs: kind is PHONE or EMAIL for a contact, else None."""
    found = find_contacts(text) if found is None else found
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for item in found:
        if item.start > position:
            pieces.append((text[position:item.start], None))
        pieces.append((text[item.start:item.end], item.kind))
        position = item.end
    if position < len(text) or not pieces:
        pieces.append((text[position:], None))
    return pieces


def mask(text: str, found: list[Found] | None = None) -> str:
    """The text with each phone number and e-mail address replaced by 「［電話番号］」 etc."""
    return "".join(str(PLACEHOLDERS[kind]) if kind else piece for piece, kind in segments(text, found))
