"""Response rates of a survey's invitation waves, per wave and per stratum (counted in SQL).

Counts come from the invitations' states (one GROUP BY); a code is counted once however it
was used. ``paper`` is what paper entry records through ``claim_invitation(…, "paper")``.
Reminder waves have no invitations of their own: they report how many letters they re-sent
and how many responses to their parent wave arrived from their dispatch date on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func

from ..extensions import db
from ..invitations.models import Invitation, InvitationStratum, InvitationWave
from ..respond.models import Response
from ..stats.response_rates import ResponseRates, response_rates
from ..surveys.models import Survey
from ..timeutil import fiscal_year, from_japan


@dataclass(frozen=True)
class Dispositions:
    invited: int = 0
    web: int = 0
    paper: int = 0
    partial: int = 0
    undelivered: int = 0

    @property
    def complete(self) -> int:
        return self.web + self.paper

    @property
    def rates(self) -> ResponseRates:
        return response_rates(invited=self.invited, complete=self.complete, partial=self.partial,
                              undelivered=self.undelivered)

    def __add__(self, other: Dispositions) -> Dispositions:
        return Dispositions(self.invited + other.invited, self.web + other.web, self.paper + other.paper,
                            self.partial + other.partial, self.undelivered + other.undelivered)


@dataclass(frozen=True)
class StratumRates:
    label: str
    cells: dict[str, Any]
    frame_count: int | None
    counts: Dispositions


@dataclass(frozen=True)
class WaveRates:
    wave_id: int
    label: str
    kind: str
    sent_on: date | None
    columns: tuple[str, ...]
    counts: Dispositions
    strata: tuple[StratumRates, ...]
    parent_label: str | None = None
    reminded: int | None = None
    responses_since: int | None = None  # reminders: responses to the parent wave from sent_on


def _counts(wave_ids: list[int]) -> dict[int, Dispositions]:
    """Dispositions per stratum id."""
    rows = db.session.execute(
        db.select(Invitation.stratum_id, Invitation.state, Invitation.used_channel,
                  Invitation.undelivered, func.count())
        .where(Invitation.wave_id.in_(wave_ids))
        .group_by(Invitation.stratum_id, Invitation.state, Invitation.used_channel, Invitation.undelivered))
    counts: dict[int, Dispositions] = {}
    for stratum_id, state, channel, undelivered, n in rows:
        add = Dispositions(
            invited=n, web=n if state == "used" and channel != "paper" else 0,
            paper=n if state == "used" and channel == "paper" else 0,
            partial=n if state == "started" else 0,
            undelivered=n if undelivered and state != "used" and state != "started" else 0)
        counts[stratum_id] = counts.get(stratum_id, Dispositions()) + add
    return counts


def wave_year(wave: InvitationWave) -> int:
    """The fiscal year a wave belongs to: that of its dispatch date (else of its creation)."""
    return fiscal_year(wave.sent_on) if wave.sent_on else fiscal_year(wave.created_at)


def survey_response_rates(survey: Survey, fiscal_year_: int | None = None) -> list[WaveRates]:
    """Every wave of a survey (optionally of one fiscal year) with its rates, oldest first."""
    waves = [w for w in db.session.scalars(db.select(InvitationWave).where(
        InvitationWave.survey_id == survey.id).order_by(InvitationWave.id))
        if fiscal_year_ is None or wave_year(w) == fiscal_year_]
    counts = _counts([w.id for w in waves if w.kind != "reminder"])
    result = []
    for wave in waves:
        columns = tuple(wave.stratum_columns)
        if wave.kind == "reminder":
            result.append(WaveRates(wave.id, wave.label, wave.kind, wave.sent_on, columns, Dispositions(), (),
                                    parent_label=wave.parent.label if wave.parent else None,
                                    reminded=wave.reminded, responses_since=_responses_since(wave)))
            continue
        strata = tuple(StratumRates(s.label(list(columns)), dict(s.cells), s.frame_count,
                                    counts.get(s.id, Dispositions()))
                       for s in wave.strata)
        total = sum((s.counts for s in strata), Dispositions())
        result.append(WaveRates(wave.id, wave.label, wave.kind, wave.sent_on, columns, total, strata))
    return result


def _responses_since(reminder: InvitationWave) -> int | None:
    if reminder.parent_id is None or reminder.sent_on is None:
        return None
    start = from_japan(datetime.combine(reminder.sent_on, time()))
    strata = db.select(InvitationStratum.id).where(InvitationStratum.wave_id == reminder.parent_id)
    return int(db.session.scalar(db.select(func.count(Response.id)).where(
        Response.invitation_stratum_id.in_(strata), Response.submitted_at >= start)) or 0)


def overall(rates: list[WaveRates]) -> Dispositions:
    """All invitation waves together (reminders add no invitations)."""
    return sum((w.counts for w in rates if w.kind != "reminder"), Dispositions())
