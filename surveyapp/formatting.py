"""How numbers and dates are written for people: one style for every staff page and for the
display strings of exports.

Pure functions over plain values (no app or request needed; the words go through Flask-Babel):
rounding happens here and only here.

* Percentages: ``45.4%``; ranges with a wave dash and no spaces: ``45.4%〜55.1%``.
* Signed differences in percentage points with a real minus sign (U+2212): ``−4.8``, ``+4.9``;
  ranges ``−4.8〜+4.9ポイント``.
* Counts with thousands separators: ``1,234``.
* Dates and times in Japan time, Japanese style: ``2026年12月1日 14:05``; the Japanese era for
  printed documents: ``令和8年12月1日``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date, format_timedelta
from flask_babel import gettext as _

from .timeutil import REIWA_OFFSET, to_japan

MINUS = "\u2212"
MISSING = "—"


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def pct(value: float | None, digits: int = 1) -> str:
    """0.454 → 「45.4%」; None → 「—」."""
    if value is None:
        return MISSING
    return _signed(f"{value * 100:.{digits}f}") + "%"


def pct_range(low: float | None, high: float | None, digits: int = 1) -> str:
    """(0.454, 0.551) → 「45.4%〜55.1%」."""
    if low is None or high is None:
        return MISSING
    return _("%(low)s〜%(high)s", low=pct(low, digits), high=pct(high, digits))


def points(value: float | None, digits: int = 1) -> str:
    """A difference of proportions in percentage points, always signed: −0.048 → 「−4.8」."""
    if value is None:
        return MISSING
    text = f"{value * 100:+.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"  # neither −0.0 nor +0.0
    return _signed(text)


def points_range(low: float | None, high: float | None, digits: int = 1) -> str:
    """(−0.048, 0.049) → 「−4.8〜+4.9ポイント」."""
    if low is None or high is None:
        return MISSING
    return _("%(low)s〜%(high)sポイント", low=points(low, digits), high=points(high, digits))


def count(value: int | float | None) -> str:
    """1234 → 「1,234」 (a float is rounded to a whole number)."""
    if value is None:
        return MISSING
    return f"{round(value):,}"


def decimal(value: float | None, digits: int = 2) -> str:
    """A plain number with fixed decimals and a real minus sign (design effect 1.07)."""
    if value is None:
        return MISSING
    return _signed(f"{value:.{digits}f}")


def _japan(moment: datetime | date) -> date | datetime:
    if isinstance(moment, datetime):
        return to_japan(moment) if moment.tzinfo is None else moment
    return moment


def jp_date(moment: datetime | date | None) -> str:
    """「2026年12月1日」 (a naive datetime is stored UTC and shown in Japan time)."""
    if moment is None:
        return MISSING
    day = _japan(moment)
    return _("%(year)s年%(month)s月%(day)s日", year=day.year, month=day.month, day=day.day)


def jp_datetime(moment: datetime | None, *, weekday: bool = False) -> str:
    """「2026年12月1日 14:05」 (with ``weekday``: 「2026年12月1日(火) 14:05」) in Japan time
    (naive datetimes are stored UTC)."""
    if moment is None:
        return MISSING
    local = _japan(moment)
    assert isinstance(local, datetime)
    day = _("%(date)s(%(weekday)s)", date=jp_date(local), weekday=weekday_name(local)) if weekday else jp_date(local)
    return f"{day} {local:%H:%M}"


def weekday_name(day: date) -> str:
    """The short Japanese name of the day of the week, 「火」 (from the locale data)."""
    return format_date(day, "EEE", locale="ja")


def time_ago(moment: datetime, now: datetime) -> str:
    """How long ago, in Japanese: 「20秒前」「3分前」「2時間前」「5日前」 (both naive UTC)."""
    elapsed = max(timedelta(0), now - moment)
    return format_timedelta(-elapsed, add_direction=True, locale="ja").replace(" ", "")


def wareki_date(moment: datetime | date) -> str:
    """「令和8年12月1日」 (令和元年 for 2019; only dates from 2019-05-01 are in 令和)."""
    day = _japan(moment)
    if (day.year, day.month) < (2019, 5):
        number = day.year - 1988
        return _("平成%(year)s年%(month)s月%(day)s日", year=_("元") if number == 1 else number,
                 month=day.month, day=day.day)
    number = day.year - REIWA_OFFSET
    return _("令和%(year)s年%(month)s月%(day)s日", year=_("元") if number == 1 else number,
             month=day.month, day=day.day)
