"""Which responses a result is computed over: the SQL conditions for every result query."""

from __future__ import annotations

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


def response_conditions(survey_id: int, selection: ResultFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``Response`` for a survey and a filter.

    This is the one place that turns a filter into SQL over the responses; the kept counts
    have their twin in ``counted._conditions`` (same rules over the count tables' columns, or
    "cannot answer" so that the caller runs this one). A new restriction (for example a course
    session once kiosks record it) is added here, and there either mapped or refused;
    ``tests/results/test_kept_counts.py`` compares both paths filter by filter.
    """
    conditions: list[ColumnElement[bool]] = [Response.survey_id == survey_id]
    if selection.channel is not None:
        conditions.append(Response.channel == selection.channel)
    elif selection.include_demo is False:
        conditions.append(Response.channel != DEMO_CHANNEL)
    elif selection.include_demo is None:
        real = db.aliased(Response)
        conditions.append(or_(Response.channel != DEMO_CHANNEL, ~exists().where(
            real.survey_id == survey_id, real.channel != DEMO_CHANNEL)))
    if not selection.include_flagged:
        conditions.append(Response.flagged.is_(False))
    if selection.link_id is not None:
        conditions.append(Response.link_id == selection.link_id)
    if selection.date_from is not None:
        conditions.append(Response.submitted_at >= _utc_start(selection.date_from))
    if selection.date_to is not None:
        conditions.append(Response.submitted_at < _utc_start(selection.date_to + timedelta(days=1)))
    if selection.invited_only:
        conditions.append(Response.invitation_stratum_id.is_not(None))
    if selection.group_question is not None and selection.group_option is not None:
        group = db.aliased(Answer)
        conditions.append(exists().where(and_(
            group.response_id == Response.id, group.question_key == selection.group_question,
            group.option_code == selection.group_option)))
    return conditions


def _utc_start(day: date) -> datetime:
    return from_japan(datetime.combine(day, time()))
