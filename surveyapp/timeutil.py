"""Time helpers: UTC storage, Japan time for people, the Japanese fiscal year (April–March)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

JST = ZoneInfo("Asia/Tokyo")
REIWA_OFFSET = 2018  # 令和N年度 = FY(2018 + N)


def utcnow() -> datetime:
    """Current time as naive UTC (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def round_down(moment: datetime, minutes: int) -> datetime:
    """``moment`` rounded down to a whole number of ``minutes`` (a divisor of 60) past the hour."""
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


def to_japan(moment: datetime) -> datetime:
    """A stored naive-UTC time as an aware Japan-time datetime."""
    return moment.replace(tzinfo=UTC).astimezone(JST)


def japan_day(moment: datetime) -> date:
    """``to_japan(moment).date()``, cheap enough for a million rows: Japan's offset from UTC is a
    whole number of hours, so the day depends only on the UTC day and hour (looked up once each)."""
    return _japan_day(moment.date(), moment.hour)


@lru_cache(maxsize=8192)
def _japan_day(day: date, hour: int) -> date:
    return to_japan(datetime(day.year, day.month, day.day, hour)).date()


def japan_day_sql(column: Any, dialect: str) -> Any:
    """:func:`japan_day` in SQL: the Japan calendar day of a naive-UTC timestamp column (Japan has
    no daylight saving, so it is the UTC time plus nine hours)."""
    from sqlalchemy import Date, cast, func, literal_column

    if dialect == "sqlite":
        return func.date(column, literal_column("'+9 hours'"))
    return cast(column + literal_column("interval '9 hours'"), Date)


def from_japan(moment: datetime) -> datetime:
    """A naive Japan-time datetime (as typed by staff) as naive UTC."""
    return moment.replace(tzinfo=JST).astimezone(UTC).replace(tzinfo=None)


def fiscal_year(moment: datetime | date) -> int:
    """Japanese fiscal year (April–March) of a naive-UTC datetime or a Japan-time date."""
    day = to_japan(moment).date() if isinstance(moment, datetime) else moment
    return day.year if day.month >= 4 else day.year - 1


def wareki_fiscal_year(year: int) -> str:
    """「令和7年度」 for 2025; earlier eras as 平成.  Translated at each call: where it is wanted for
    many rows, look each year up once (``exports.raw``)."""
    if year >= 2019:
        number = year - REIWA_OFFSET
        return _("令和元年度") if number == 1 else _("令和%(number)s年度", number=number)
    return _("平成%(number)s年度", number=year - 1988)


def fiscal_year_label(year: int) -> str:
    """「令和7年度（2025年度）」."""
    return _("%(wareki)s（%(year)s年度）", wareki=wareki_fiscal_year(year), year=year)


