"""Whether a survey is accepting answers, and the two ways staff change that.

* ``change_dates`` saves the opening and closing times. It never opens or closes a survey
  silently: when the new times would change the state now (a closing time in the past ends an
  open survey at once), it raises ``ConfirmationNeeded`` unless the caller confirmed exactly that
  new state.
* ``change_status`` is the explicit, confirmed action: close now, or (re)open now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..audit import record
from ..extensions import db
from .models import Survey
from .services import InvalidSchedule, SurveyError

STATES = ("draft", "scheduled", "open", "ended", "closed")
STATE_LABELS = {
    "draft": _l("準備中"),
    "scheduled": _l("開始前"),
    "open": _l("受付中"),
    "ended": _l("終了"),
    "closed": _l("終了"),
}
STATE_NOTES = {
    "draft": _l("まだ受付を始めていません。"),
    "scheduled": _l("受付開始日時になると受付を始めます。"),
    "open": _l("回答を受け付けています。"),
    "ended": _l("受付終了日時を過ぎたため、回答を受け付けていません。"),
    "closed": _l("受付を終了しています。回答は受け付けません。"),
}


def acceptance_state(status: str, opens_at: datetime | None, closes_at: datetime | None,
                     now: datetime) -> str:
    """One of STATES; a survey accepts answers exactly when this is ``open``."""
    if status == "draft":
        return "draft"
    if status != "open":
        return "closed"
    if opens_at is not None and now < opens_at:
        return "scheduled"
    if closes_at is not None and now >= closes_at:
        return "ended"
    return "open"


def survey_state(survey: Survey, now: datetime) -> str:
    return acceptance_state(survey.status, survey.opens_at, survey.closes_at, now)


@dataclass(frozen=True)
class ScheduleChange:
    """What a schedule action changes: the state now and each time (UTC), before → after."""

    before: str
    after: str
    opens_before: datetime | None
    opens_after: datetime | None
    closes_before: datetime | None
    closes_after: datetime | None

    @property
    def state_changed(self) -> bool:
        return self.before != self.after

    @property
    def opens_changed(self) -> bool:
        return self.opens_before != self.opens_after

    @property
    def closes_changed(self) -> bool:
        return self.closes_before != self.closes_after

    @property
    def anything(self) -> bool:
        return self.state_changed or self.opens_changed or self.closes_changed


class ConfirmationNeeded(SurveyError):
    """The new times would open or close the survey now; ask before saving them."""

    def __init__(self, change: ScheduleChange) -> None:
        super().__init__(f"saving would change the state {change.before} -> {change.after}")
        self.change = change


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def change_dates(survey: Survey, *, opens_at: datetime | None, closes_at: datetime | None,
                 now: datetime, confirmed_state: str | None = None,
                 user_id: int | None = None) -> ScheduleChange:
    """Save the opening/closing times (UTC) without touching the status; commit.

    Raises ConfirmationNeeded when the times would change the state now and the caller has not
    confirmed that resulting state; InvalidSchedule for a closing time not after the opening.
    """
    if survey.current_version is None:
        raise InvalidSchedule("the survey has no published version")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidSchedule("the closing time must be after the opening time")
    change = ScheduleChange(
        before=survey_state(survey, now),
        after=acceptance_state(survey.status, opens_at, closes_at, now),
        opens_before=survey.opens_at, opens_after=opens_at,
        closes_before=survey.closes_at, closes_after=closes_at,
    )
    if change.state_changed and confirmed_state != change.after:
        raise ConfirmationNeeded(change)
    if not change.anything:
        return change
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    record(user_id, "survey.schedule", survey.key, state_before=change.before,
           state_after=change.after, opens_before=_iso(change.opens_before),
           opens_after=_iso(opens_at), closes_before=_iso(change.closes_before),
           closes_after=_iso(closes_at))
    db.session.commit()
    return change


def planned_status_change(survey: Survey, to: str, now: datetime) -> ScheduleChange:
    """What ``change_status`` would do, for the confirmation page (nothing is changed).

    Closing keeps the times. Opening means accepting from now on: a closing time already past
    and an opening time still ahead are removed (shown on the confirmation page).
    """
    if to not in ("open", "closed"):
        raise InvalidSchedule("status must be open or closed")
    opens_at, closes_at = survey.opens_at, survey.closes_at
    if to == "open":
        if opens_at is not None and opens_at > now:
            opens_at = None
        if closes_at is not None and closes_at <= now:
            closes_at = None
    return ScheduleChange(
        before=survey_state(survey, now), after=acceptance_state(to, opens_at, closes_at, now),
        opens_before=survey.opens_at, opens_after=opens_at,
        closes_before=survey.closes_at, closes_after=closes_at,
    )


def change_status(survey: Survey, to: str, *, now: datetime,
                  user_id: int | None = None) -> ScheduleChange:
    """Close the survey now, or open it now (see ``planned_status_change``); commit."""
    if survey.current_version is None:
        raise InvalidSchedule("the survey has no published version")
    if to == "open" and survey.archived:
        raise InvalidSchedule("an archived survey cannot be opened")
    change = planned_status_change(survey, to, now)
    if not change.anything:
        return change
    survey.status = to
    survey.opens_at = change.opens_after
    survey.closes_at = change.closes_after
    record(user_id, f"survey.{to}", survey.key, state_before=change.before,
           state_after=change.after, opens_at=_iso(change.opens_after),
           closes_at=_iso(change.closes_after))
    db.session.commit()
    return change
