"""The staff password policy, in one place (forms, the CLI and the services all ask here).

A password must have at least :data:`MIN_LENGTH` characters (spaces at either end do not
count) and at most :data:`MAX_LENGTH`; it must not contain control characters; and it must not
be easy to guess: not a common password (``common-passwords.txt``, shipped with the app), not
a common password with digits or symbols around it (``Password2026!``), not one short piece
repeated (``aaaaaaaaaaaa``, ``passwordpassword``), not a run along the alphabet, the digits or
the keyboard (``abcdefghijkl``, ``1234567890123``, ``qwertyuiopas``), and not containing the
account's own e-mail name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128
EMAIL_NAME_MIN = 4  # shorter e-mail names (「ito」) are too common a syllable to refuse
_REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm",
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp")
_WRAPPED_RUNS = tuple(run * 3 for run in _RUNS)  # 「7890123456789」 wraps round

MESSAGES = {
    "too_short": _l("パスワードは%(n)d文字以上にしてください（前後の空白は数えません）。", n=MIN_LENGTH),
    "too_long": _l("パスワードは%(n)d文字以内にしてください。", n=MAX_LENGTH),
    "control": _l("パスワードに使えない文字（制御文字）が含まれています。"),
    "common": _l("推測されやすいパスワードです。よく使われる語句、同じ文字や語のくり返し、"
                 "キーボードの並びは使えません。"),
    "contains_email": _l("メールアドレスの「@」より前の部分を、パスワードに含めないでください。"),
}
CLI_MESSAGES = {
    "too_short": f"the password must have at least {MIN_LENGTH} characters (not counting spaces at either end)",
    "too_long": f"the password must have at most {MAX_LENGTH} characters",
    "control": "the password contains control characters",
    "common": "the password is too easy to guess (a common password, a repetition or a keyboard run)",
    "contains_email": "the password must not contain the name part of the e-mail address",
}


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (lower case), read once."""
    text = resources.files("surveyapp.auth").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def has_control_characters(text: str) -> bool:
    """True for NUL, other C0/C1 controls, tabs and line breaks."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _core(text: str) -> str:
    """The text without digits, symbols and spaces at either end (``!!summer2026`` → ``summer``)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def _is_run(text: str) -> bool:
    compact = "".join(text.split())
    return len(compact) >= 4 and any(compact in run or compact in run[::-1] for run in _WRAPPED_RUNS)


def _guessable(text: str) -> bool:
    common = common_passwords()
    for candidate in {text, "".join(text.split()), _core(text)}:
        if not candidate:
            continue
        if candidate in common or _REPEATED.fullmatch(candidate) or _is_run(candidate):
            return True
    return False


def password_problem(password: str, email: str | None = None) -> str | None:
    """The code of the first rule ``password`` breaks (a key of :data:`MESSAGES`), or None."""
    if len(password) > MAX_LENGTH:
        return "too_long"
    if has_control_characters(password):
        return "control"
    if len(password.strip()) < MIN_LENGTH:
        return "too_short"
    normal = _normal(password.strip())
    if _guessable(normal):
        return "common"
    name = _normal(email.split("@", 1)[0]) if email else ""
    if len(name) >= EMAIL_NAME_MIN and name in normal:
        return "contains_email"
    return None
