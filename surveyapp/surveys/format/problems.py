"""Problems found in a definition, and the wording shared by every message.

A :class:`Problem` names the key path (``questions[2].options[1].code``) and says what is wrong
and how to fix it, in Japanese for staff.  The same problem reads the same from every front
door (TOML file, Excel workbook, stored data); each front door only adds where it is (``where``:
a line in a file, or a sheet, row and column of a workbook).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

PathPart = str | int
KeyPath = tuple[PathPart, ...]


def keypath(path: KeyPath) -> str:
    """``("questions", 2, "text", "ja")`` → ``questions[2].text.ja``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Problem:
    """One problem: the key path, the message, and where the front door found it."""

    path: KeyPath
    message: str
    source: str = ""
    where: str = ""

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.where, keypath(self.path)) if p]
        return ": ".join([*parts, self.message])


class DefinitionError(ValueError):
    """A definition is invalid.  ``errors`` lists every problem as one line of text;
    ``problems`` holds the same problems with their key paths (for showing them beside a field)."""

    def __init__(self, errors: Sequence[str], problems: Sequence[Problem] = ()) -> None:
        self.errors: list[str] = list(errors)
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(self.errors))

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> DefinitionError:
        found = list(problems)
        return cls([str(p) for p in found], found)

    def __str__(self) -> str:
        return "\n".join(self.errors)


def located(problems: Iterable[Problem], source: str, where: Any = None) -> list[Problem]:
    """Give problems their source, and a location from ``where(path)`` when one is given."""
    return [
        dataclasses.replace(p, source=source, where=where(p.path) if where else p.where)
        for p in problems
    ]


class Collector:
    """Collects the problems of one definition."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(path, message))


# --------------------------------------------------------------------------- wording


def short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """What a wrongly typed value is, for 「（今は…です）」."""
    if isinstance(value, bool):
        return _("真偽値 %(value)s", value=str(value).lower())
    if isinstance(value, int):
        return _("整数 %(value)s", value=value)
    if isinstance(value, float):
        return _("数値 %(value)s", value=repr(value))
    if isinstance(value, str):
        return _('文字列 "%(value)s"', value=short(value))
    if isinstance(value, list | tuple):
        return _("リスト")
    if isinstance(value, Mapping):
        return _("表")
    if isinstance(value, datetime.date | datetime.time):
        return _("日付・時刻 %(value)s", value=value.isoformat())
    return _("%(type)s 型の値", type=type(value).__name__)


def now_is(value: Any) -> str:
    """``（今は文字列 "yes" です）``."""
    text = describe(value)
    if text[-1].isascii():
        return _("（今は%(value)s です）", value=text)
    return _("（今は%(value)sです）", value=text)


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``"title" の誤りではありませんか？`` when a choice is close to ``word``, else ``""``."""
    lowered = {c.lower(): c for c in choices}
    guess = lowered.get(word.lower())
    if guess is None:
        close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
        guess = close[0] if close else None
    return _('"%(guess)s" の誤りではありませんか？', guess=guess) if guess else ""


def suggestion(word: str, choices: Sequence[str], noun: str) -> str:
    """``（"x" の誤りではありませんか？）`` when something is close, else ``（noun: a, b, c）``."""
    guess = did_you_mean(word, choices)
    if guess:
        return _("（%(guess)s）", guess=guess)
    return _("（%(noun)s: %(choices)s）", noun=noun, choices=", ".join(choices))
