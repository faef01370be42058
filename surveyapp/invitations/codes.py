"""Invitation codes: how they look, how they are checked, and how typed input is cleaned.

A code is 9 characters in three groups, e.g. ``KX7-P42-MRQ``: 8 random characters and one
check character, from an alphabet of 31 (digits 2–9 and the capital letters without I, L and
O), so nothing can be mistaken for 0/O or 1/I/l when read from paper.

* Entropy: 8 random characters from 31 → 31⁸ ≈ 8.5 × 10¹¹ codes, log2 = 39.6 bits.
* Check character: the weighted sum Σ i·vᵢ (i = 1…9, vᵢ the value of the i-th character,
  the check character last) is 0 modulo 31. Because 31 is prime and every weight is between
  1 and 30, a single wrong character changes the sum by i·(a−b) ≢ 0 and two neighbouring
  characters swapped change it by ±(a−b) ≢ 0: every single typo and every adjacent
  transposition is caught here, before the database is asked.
* Normalisation of what people type: Unicode NFKC (full-width letters and digits become
  ASCII), upper case, and spaces and dash-like characters (including the katakana long vowel
  mark an IME may produce) removed — so ``kx7 p42 mrq``, ``ＫＸ７－Ｐ４２－ＭＲＱ`` and
  ``KX7P42MRQ`` are the same code.

Codes are stored only as a keyed hash (HMAC-SHA-256 with a key derived from the app's secret
key, see :func:`code_hash`): a copy of the database alone does not let anyone try all 31⁸
codes offline.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 8
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP = 3
ENTROPY_BITS = RANDOM_LENGTH * math.log2(len(ALPHABET))
EXAMPLE = "KX7-P42-MRQ"
AMBIGUOUS = frozenset("01IOL")
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)
_SEPARATORS = frozenset(" \t\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\u30fb_.")
_KEY_LABEL = b"surveyapp/invitation-code/v1"

assert _MODULUS == 31 and CODE_LENGTH < _MODULUS  # prime modulus, weights 1..9 all distinct


class CodeMalformed(ValueError):
    """Typed text that cannot be a code; ``reason`` is ``empty``, ``length``, ``characters``
    (``characters`` holds the offending ones, as typed after normalisation) or ``check``."""

    def __init__(self, reason: str, characters: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.characters = characters


def _check_value(values: list[int]) -> int:
    total = sum(weight * value for weight, value in enumerate(values, start=1))
    weight = len(values) + 1
    # c such that total + weight·c ≡ 0 (mod 31); pow(weight, -1, 31) is the inverse.
    return (-total * pow(weight, -1, _MODULUS)) % _MODULUS


def check_character(body: str) -> str:
    """The check character of the 8 random characters ``body``."""
    return ALPHABET[_check_value([_VALUES[c] for c in body])]


def is_valid(compact: str) -> bool:
    """True when a normalised 9-character code has a correct check character."""
    if len(compact) != CODE_LENGTH or any(c not in _VALUES for c in compact):
        return False
    total = sum(weight * _VALUES[c] for weight, c in enumerate(compact, start=1))
    return total % _MODULUS == 0


def new_code() -> str:
    """A fresh random code, normalised (no hyphens): 8 random characters + check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def display(compact: str) -> str:
    """``KX7P42MRQ`` → ``KX7-P42-MRQ`` (as printed and shown)."""
    return "-".join(compact[i:i + GROUP] for i in range(0, len(compact), GROUP))


def normalise(raw: str) -> str:
    """What a person typed, reduced to the bare upper-case characters."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(c for c in text if c not in _SEPARATORS and not c.isspace()).upper()


def parse_code(raw: str) -> str:
    """The normalised code, or CodeMalformed saying what is wrong (no database involved)."""
    compact = normalise(raw)
    if not compact:
        raise CodeMalformed("empty")
    wrong = "".join(dict.fromkeys(c for c in compact if c not in _VALUES))
    if wrong:
        raise CodeMalformed("characters", wrong)
    if len(compact) != CODE_LENGTH:
        raise CodeMalformed("length")
    if not is_valid(compact):
        raise CodeMalformed("check")
    return compact


def code_key(secret_key: str) -> bytes:
    """The HMAC key for code hashes, derived from the app's secret key."""
    return hmac.new(secret_key.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()


def code_hash(compact: str, key: bytes) -> str:
    """Keyed hash (64 hex characters) of a normalised code: what the database keeps."""
    return hmac.new(key, compact.encode("ascii"), hashlib.sha256).hexdigest()
