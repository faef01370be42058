"""Invitation codes in use: look a code up, start or resume its answers, use it exactly once.

The API other parts call (the web respondent pages here, paper entry elsewhere):

* :func:`find_invitation` — a typed code → its invitation (no rate limit: staff screens).
* :func:`lookup_code` — the same for the public, behind the rate limit of ``limits.py``.
* :func:`claim_invitation` — mark an invitation used, exactly once, inside the caller's
  transaction (flush only); :func:`invitation_claim` wraps it for
  :func:`surveyapp.respond.services.submit_response` so the response and the use of the code
  are one commit.

"Exactly once" is a conditional UPDATE (``… WHERE state <> 'used'``): on SQLite writers are
serialised by ``BEGIN IMMEDIATE``; on PostgreSQL a second transaction waits for the row lock of
the first and then finds the row already used.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..respond.models import RespondentFlow, Response
from ..respond.services import Claim, ClaimRefused
from ..surveys.definitions import SurveyDef
from ..surveys.models import SurveyVersion
from ..timeutil import utcnow
from .codes import CodeMalformed, code_hash, code_key, parse_code
from .limits import GLOBAL_LOOKUP_LIMIT, GLOBAL_SOURCE, LOOKUP_LIMIT
from .models import CodeAttempt, Invitation, InvitationWave

WEB_CHANNEL = "invitation"
PAPER_CHANNEL = "paper"
USED_CHANNELS = (WEB_CHANNEL, PAPER_CHANNEL)

__all__ = [
    "PAPER_CHANNEL", "WEB_CHANNEL", "CodeAlreadyUsed", "CodeMalformed", "CodeUnknown",
    "TooManyAttempts", "claim_for_flow", "claim_invitation", "find_invitation", "get_invitation",
    "hash_code", "invitation_claim", "invitation_for_flow", "lookup_code", "resume_page",
    "start_or_resume",
]


class CodeUnknown(LookupError):
    """A well-formed code that matches no invitation."""


class CodeAlreadyUsed(ClaimRefused):
    """The invitation's response is already stored (on the web or on paper)."""


class TooManyAttempts(RuntimeError):
    """Too many failed look-ups from this source (or from everyone); ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def hash_code(compact: str) -> str:
    """The stored form of a normalised code (keyed with the app's secret key)."""
    return code_hash(compact, code_key(str(current_app.config["SECRET_KEY"])))


def find_invitation(raw: str) -> Invitation:
    """The invitation of a typed code; CodeMalformed (before any query) or CodeUnknown."""
    compact = parse_code(raw)
    invitation = db.session.scalar(db.select(Invitation).where(
        Invitation.code_hash == hash_code(compact)))
    if invitation is None:
        raise CodeUnknown(compact)
    return invitation


# --------------------------------------------------------------------------- rate limit

def _window(now: datetime) -> datetime:
    seconds = LOOKUP_LIMIT.seconds
    epoch = datetime(2000, 1, 1)
    elapsed = int((now - epoch).total_seconds())
    return epoch + timedelta(seconds=elapsed - elapsed % seconds)


def _retry_after(now: datetime) -> int:
    return max(1, int((_window(now) + timedelta(seconds=LOOKUP_LIMIT.seconds) - now).total_seconds()))


def _blocked(source: str, now: datetime) -> bool:
    rows: dict[str, int] = dict(db.session.execute(
        db.select(CodeAttempt.source, CodeAttempt.failures).where(
            CodeAttempt.window_start == _window(now),
            CodeAttempt.source.in_([source, GLOBAL_SOURCE]))).all())
    return (rows.get(source, 0) >= LOOKUP_LIMIT.failures
            or rows.get(GLOBAL_SOURCE, 0) >= GLOBAL_LOOKUP_LIMIT.failures)


def _count_failure(source: str, now: datetime) -> None:
    window = _window(now)
    for who in (source, GLOBAL_SOURCE):
        bump = (update(CodeAttempt).where(CodeAttempt.source == who, CodeAttempt.window_start == window)
                .values(failures=CodeAttempt.failures + 1))
        if db.session.execute(bump).rowcount:  # type: ignore[attr-defined]
            continue
        try:
            with db.session.begin_nested():
                db.session.add(CodeAttempt(source=who, window_start=window, failures=1))
        except IntegrityError:  # another request created the row first
            db.session.execute(bump)
    db.session.execute(db.delete(CodeAttempt).where(CodeAttempt.window_start < window - timedelta(days=1)))


def lookup_code(raw: str, source: str, *, now: datetime | None = None) -> Invitation:
    """A code typed or scanned by the public.

    CodeMalformed (typo caught by the check character; not counted), TooManyAttempts, or
    CodeUnknown (counted against the source and overall; committed).
    """
    now = now or utcnow()
    compact = parse_code(raw)
    if _blocked(source, now):
        db.session.rollback()
        raise TooManyAttempts(_retry_after(now))
    invitation = db.session.scalar(db.select(Invitation).where(
        Invitation.code_hash == hash_code(compact)))
    if invitation is None:
        _count_failure(source, now)
        db.session.commit()
        raise CodeUnknown(compact)
    return invitation


# --------------------------------------------------------------------------- using a code

def claim_invitation(invitation_id: int, channel: str) -> bool:
    """Mark the invitation used by ``channel`` (``invitation`` = web, ``paper``) if it is not
    used yet; flush only. True when this call used it, False when it already was used."""
    if channel not in USED_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    result = db.session.execute(
        update(Invitation).where(Invitation.id == invitation_id, Invitation.state != "used")
        .values(state="used", used_channel=channel, flow_id=None)
        .execution_options(synchronize_session=False))
    used = bool(result.rowcount)  # type: ignore[attr-defined]
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is not None:
        db.session.refresh(invitation)
    return used


def invitation_claim(invitation_id: int, channel: str) -> Claim:
    """A claim for ``submit_response``: uses the invitation up and gives the response the
    invitation's stratum (never the invitation itself); CodeAlreadyUsed refuses the response."""

    def claim(response: Response) -> None:
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is None or not claim_invitation(invitation_id, channel):
            raise CodeAlreadyUsed(str(invitation_id))
        response.invitation_stratum_id = invitation.stratum_id
        db.session.flush()

    return claim


def invitation_for_flow(flow: RespondentFlow) -> Invitation | None:
    """The invitation whose unfinished answers this flow holds (None for other flows).  A flow
    that is not stored holds none: an invitation's flow is stored when its code starts it."""
    if flow.id is None:  # (``flow_id == None`` would match every invitation not started)
        return None
    return db.session.scalar(db.select(Invitation).where(Invitation.flow_id == flow.id))


def claim_for_flow(flow: RespondentFlow) -> Claim | None:
    """The claim to submit a flow's response with: the invitation's, when the flow holds the
    unfinished answers of an invitation; None for every other flow."""
    invitation = invitation_for_flow(flow)
    if invitation is not None:
        return invitation_claim(invitation.id, WEB_CHANNEL)
    if db.session.scalar(db.select(InvitationWave.id).where(InvitationWave.link_id == flow.link_id)) is not None:
        # A flow on a wave's link that no invitation holds any more: its code was used
        # meanwhile (e.g. the paper questionnaire was keyed), which let the flow go.
        return _refuse_used
    return None


def _refuse_used(_response: Response) -> None:
    raise CodeAlreadyUsed("the flow's invitation was used meanwhile")


def get_invitation(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


def resume_page(defn: SurveyDef, answers: dict[str, object]) -> int:
    """The page to continue on: the first with an unanswered question (else the last)."""
    pages = defn.pages()
    for number, questions in enumerate(pages, start=1):
        if any(q.key not in answers for q in questions):
            return number
    return len(pages)


def start_or_resume(invitation: Invitation, version: SurveyVersion) -> RespondentFlow:
    """The flow of an invitation's unfinished answers, created on first use (then the
    invitation is ``started``); commit. Two devices entering the same code share one flow.
    Unlike other flows (see ``respond.services.new_flow``) it is stored from the start: the
    invitation points at it, so that the code resumes it and is used up when it is sent.
    CodeAlreadyUsed when its response is stored."""
    invitation_id = invitation.id
    for _attempt in range(3):
        current = db.session.get(Invitation, invitation_id, populate_existing=True)
        if current is None or current.state == "used":
            db.session.rollback()
            raise CodeAlreadyUsed(str(invitation_id))
        flow = db.session.get(RespondentFlow, current.flow_id) if current.flow_id else None
        if flow is not None and flow.submitted_at is None:
            db.session.commit()
            return flow
        wave_link = current.wave.link_id
        assert wave_link is not None, "a wave with codes has a link"
        flow = RespondentFlow(token=secrets.token_urlsafe(32), link_id=wave_link,
                              survey_version_id=version.id, answers={})
        db.session.add(flow)
        db.session.flush()
        previous = (Invitation.flow_id.is_(None) if current.flow_id is None
                    else Invitation.flow_id == current.flow_id)
        started = db.session.execute(
            update(Invitation).where(Invitation.id == invitation_id, Invitation.state != "used", previous)
            .values(state="started", flow_id=flow.id).execution_options(synchronize_session=False))
        if started.rowcount:  # type: ignore[attr-defined]
            db.session.commit()
            return flow
        db.session.rollback()  # another device started it meanwhile: take its flow
    raise CodeAlreadyUsed(str(invitation_id))
