"""Which responses a result is computed over: the SQL conditions for every result query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_

from ..extensions import db
from ..respond.models import Answer, Response
from ..timeutil import from_japan

DEMO_CHANNEL = "demo"


@dataclass(frozen=True)
class ResultFilter:
    """Optional restrictions on the responses (the defaults: every response of the survey that
    is not flagged).

    ``group_question``/``group_option`` keep the responses that gave that answer to another
    question (e.g. only the dissatisfied); dates are Japan-time calendar days, inclusive.
    Demo responses (channel ``demo``): ``include_demo`` True includes them, False excludes them
    (open data always does), None — the default — includes them only while the survey has no
    other responses, so demo data leaves every result once real answers arrive.  Responses
    flagged by the screening are left out unless ``include_flagged`` (the sensitivity figure);
    results say how many they left out.
    """

    channel: str | None = None
    link_id: int | None = None
    group_question: str | None = None
    group_option: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_demo: bool | None = None
    include_flagged: bool = False
    invited_only: bool = False  # only responses to invitation letters (they carry a stratum)

    @property
    def is_empty(self) -> bool:
        return self == ResultFilter()

    def as_dict(self) -> dict[str, Any]:
        """The filter for audit entries and download notes (only what is set)."""
        values = {
            "channel": self.channel, "link_id": self.link_id,
            "group_question": self.group_question, "group_option": self.group_option,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        result = {k: v for k, v in values.items() if v is not None}
        if self.include_demo is not None:
            result["include_demo"] = self.include_demo
        if self.include_flagged:
            result["include_flagged"] = True
        if self.invited_only:
            result["invited_only"] = True
        return result


ALL_RESPONSES = ResultFilter()
PUBLIC = ResultFilter(include_demo=False)


@dataclass(frozen=True)
class FilterColumns:
    """Where a filter's restrictions apply: the columns of the responses, or of a table of the
    counts kept with them (``counted``). ``days`` and ``invited`` are None for a table that
    cannot express a date range or "only invitation letters"."""

    survey_id: Any
    channel: Any
    flagged: Any
    link_id: Any
    real_responses: Callable[[int], Any]  # SQL: the survey has a response that is not demo data
    days: Callable[[date | None, date | None], list[Any]] | None
    invited: Any | None


def filter_conditions(columns: FilterColumns, survey_id: int,
                      selection: ResultFilter) -> list[ColumnElement[bool]] | None:
    """The WHERE conditions of a survey and a filter over ``columns``, or None when they cannot
    express it; all but "only those who answered X", whose form differs (an EXISTS over the
    answers here, answer pairs or profiles in the kept counts).

    This is the one rule from a filter to SQL, for the raw queries (:func:`response_conditions`)
    and the kept counts (``counted._conditions``). A new restriction (for example a course
    session once kiosks record it) is added here, with a column in ``FilterColumns`` that a count
    table sets to None until it keeps that dimension; ``tests/results/test_kept_counts.py``
    compares both paths filter by filter.
    """
    conditions: list[ColumnElement[bool]] = [columns.survey_id == survey_id]
    if selection.channel is not None:
        conditions.append(columns.channel == selection.channel)
    elif selection.include_demo is False:
        conditions.append(columns.channel != DEMO_CHANNEL)
    elif selection.include_demo is None:
        conditions.append(or_(columns.channel != DEMO_CHANNEL, ~columns.real_responses(survey_id)))
    if not selection.include_flagged:
        conditions.append(columns.flagged.is_(False))
    if selection.link_id is not None:
        conditions.append(columns.link_id == selection.link_id)
    if selection.date_from is not None or selection.date_to is not None:
        if columns.days is None:
            return None
        conditions += columns.days(selection.date_from, selection.date_to)
    if selection.invited_only:
        if columns.invited is None:
            return None
        conditions.append(columns.invited.is_not(None))
    return conditions


def _real_responses(survey_id: int) -> Any:
    real = db.aliased(Response)
    return exists().where(real.survey_id == survey_id, real.channel != DEMO_CHANNEL)


def _submitted_between(first: date | None, last: date | None) -> list[Any]:
    """Submitted on the Japan-time days from ``first`` to ``last`` (inclusive; None: open)."""
    conditions = []
    if first is not None:
        conditions.append(Response.submitted_at >= _utc_start(first))
    if last is not None:
        conditions.append(Response.submitted_at < _utc_start(last + timedelta(days=1)))
    return conditions


RESPONSE_COLUMNS = FilterColumns(
    survey_id=Response.survey_id, channel=Response.channel, flagged=Response.flagged,
    link_id=Response.link_id, real_responses=_real_responses, days=_submitted_between,
    invited=Response.invitation_stratum_id)


def response_conditions(survey_id: int, selection: ResultFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``Response`` for a survey and a filter (:func:`filter_conditions`
    over the responses' columns, and "only those who answered X" as an EXISTS)."""
    conditions = filter_conditions(RESPONSE_COLUMNS, survey_id, selection)
    assert conditions is not None  # the responses have every column a filter restricts
    if selection.group_question is not None and selection.group_option is not None:
        group = db.aliased(Answer)
        conditions.append(exists().where(and_(
            group.response_id == Response.id, group.question_key == selection.group_question,
            group.option_code == selection.group_option)))
    return conditions


def _utc_start(day: date) -> datetime:
    return from_japan(datetime.combine(day, time()))
