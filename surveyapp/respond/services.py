"""Respondent use cases: start a flow, keep partial answers, submit a response exactly once."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db, take_write_lock
from ..i18n import LANGUAGE_NAMES
from ..inputs import DB_INT_MAX, without_control_characters
from ..screening.services import Signals, Thresholds, screen_submission
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link, SurveyVersion
from ..timeutil import fiscal_year, round_down, utcnow
from .counts import count_response, profile_keys
from .models import Answer, RespondentFlow, Response

if TYPE_CHECKING:
    from ..surveys.services import PublicLink, VersionAtLink

ID_ATTEMPTS = 3
AnswerValue = str | list[str]
Answers = dict[str, AnswerValue]


class RespondError(Exception):
    """Base class of respondent use-case errors."""


class SurveyNotAccepting(RespondError):
    """The survey is closed, not yet open, or past its closing time."""


class ResponseConflict(RespondError):
    """A different body was sent under a client id that is already stored."""


class ClaimRefused(RespondError):
    """A claim (e.g. an invitation code) refused the response: nothing was stored."""


class InvalidAnswers(RespondError):
    """Answers that do not fit the survey version; ``problems`` maps question key to a code."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


@dataclass(frozen=True)
class Receipt:
    """What a respondent (or a kiosk queue) is told after the commit."""

    response_id: int
    client_uuid: uuid.UUID
    submitted_at: datetime
    created: bool


def clean_answers(defn: SurveyDef, answers: Mapping[str, object], *, complete: bool) -> Answers:
    """Check answers against the definition; drop empty ones; raise InvalidAnswers.

    Control characters in text answers are removed (see :mod:`surveyapp.inputs`), so an
    invisible character never costs a response.  Problem codes: ``unknown_question``,
    ``invalid_option``, ``too_long``, ``required``, ``malformed``, ``exclusive_option`` (a
    ``not_applicable`` option of a multiple-choice question ticked together with others). With
    ``complete`` every required question must be answered.
    """
    problems: dict[str, str] = {}
    cleaned: Answers = {}
    known = {q.key: q for q in defn.questions}
    for key, value in answers.items():
        question = known.get(key)
        if question is None:
            problems[key] = "unknown_question"
            continue
        codes = {o.code for o in question.options}
        if question.type == "single":
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                problems[key] = "malformed"
            elif value not in codes:
                problems[key] = "invalid_option"
            else:
                cleaned[key] = value
        elif question.type == "multiple":
            if value in (None, "", []):
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems[key] = "malformed"
            elif not set(value) <= codes or len(set(value)) != len(value):
                problems[key] = "invalid_option"
            elif len(value) > 1 and any(question.option(v).kind == "not_applicable" for v in value):
                problems[key] = "exclusive_option"
            else:
                order = [o.code for o in question.options]
                cleaned[key] = sorted(value, key=order.index)
        else:
            if value is None:
                continue
            if not isinstance(value, str):
                problems[key] = "malformed"
                continue
            text = without_control_characters(value).replace("\r\n", "\n").strip()
            if not text:
                continue
            if question.max_length is not None and len(text) > question.max_length:
                problems[key] = "too_long"
            else:
                cleaned[key] = text
    if complete:
        for question in defn.questions:
            if question.required and question.key not in cleaned and question.key not in problems:
                problems[question.key] = "required"
    if problems:
        raise InvalidAnswers(problems)
    return cleaned


def body_hash(version_id: int, answers: Answers) -> str:
    """A digest of what was answered, to tell a replay from a different body."""
    canonical = json.dumps({"version": version_id, "answers": answers}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _existing_receipt(client_uuid: uuid.UUID, digest: str) -> Receipt | None:
    # Three columns, not the object: asked before every submission, found only for a replay.
    existing = db.session.execute(
        db.select(Response.id, Response.body_hash, Response.submitted_at)
        .where(Response.client_uuid == client_uuid)).first()
    if existing is None:
        return None
    if existing.body_hash != digest:
        raise ResponseConflict(str(client_uuid))
    return Receipt(existing.id, client_uuid, existing.submitted_at, created=False)


def _new_response_id() -> int:
    """A random row number: neither the number nor the row order tells when, or in which order,
    people answered (an access log could otherwise be matched to the k-th response)."""
    return secrets.randbelow(DB_INT_MAX) + 1


Claim = Callable[[Response], None]


def submit_response(
    *, defn: SurveyDef, version: SurveyVersion | VersionAtLink, link: Link | PublicLink | None, channel: str,
    client_uuid: uuid.UUID, answers: Mapping[str, object], now: datetime | None = None,
    signals: Signals | None = None, claim: Claim | None = None, enforce_required: bool = True,
    check_open: bool = True, language: object = None,
) -> Receipt:
    """Store one complete response once per client id; commit; return its receipt.

    Replaying the same body returns the original receipt and stores nothing; a different body
    under the same id raises ResponseConflict.  The time is stored rounded down to
    ``RESPONSE_TIME_MINUTES``.  With ``signals`` (public pages) the response is screened and
    stored with its flags, if any (see :mod:`surveyapp.screening.services`).  ``language`` is
    the language the respondent answered in (one of ours, else not recorded); it is not part
    of the body, so a replay never conflicts over it.  ``claim`` (e.g. using up an invitation
    code) runs after the response is flushed, in the same transaction: if it raises
    ClaimRefused nothing is stored — unless the response was stored by an earlier identical
    request, whose receipt is then returned.

    Paper questionnaires are entered with ``enforce_required=False`` (a blank on paper is a
    "no answer", not an error) and ``check_open=False`` (questionnaires received during
    fieldwork are keyed in afterwards; ``now`` is then the day they were received).
    """
    now = now or utcnow()
    cleaned = clean_answers(defn, answers, complete=enforce_required)
    digest = body_hash(version.id, cleaned)
    # A replay is found by the UNIQUE client id when the insert fails (below), not by a query
    # before every new response; only a closed survey asks first, as its replays still count.
    if check_open and not version.survey.is_accepting(now):
        replay = _existing_receipt(client_uuid, digest)
        if replay is not None:
            db.session.rollback()
            return replay
        raise SurveyNotAccepting(version.survey.key)
    stored_at = round_down(now, int(current_app.config.get("RESPONSE_TIME_MINUTES", 1)))
    stored_language = language if isinstance(language, str) and language in LANGUAGE_NAMES else None
    for attempt in range(1, ID_ATTEMPTS + 1):
        response = _new_response(defn, version, link, channel, client_uuid, cleaned, digest, stored_at,
                                 language=stored_language)
        # The screening counts earlier submissions: it reads them under the write lock, so
        # that two submissions at the same moment cannot both miss each other.
        take_write_lock()
        if signals is not None:
            reasons = screen_submission(signals, questions=len(defn.questions), now=now,
                                        thresholds=Thresholds.from_settings(current_app.config))
            response.flagged = bool(reasons)
            response.flag_reasons = reasons or None
        try:
            if claim is None:
                _insert(response)
            else:  # a claim takes the stored object (and may change it): the unit of work
                db.session.add(response)
                db.session.flush()
            count_response(response, keys=profile_keys(version))
            if claim is not None:
                claim(response)
            # Read before the commit expires the row (reading after it would load it again).
            receipt = Receipt(response.id, response.client_uuid, response.submitted_at, created=True)
            db.session.commit()
        except ClaimRefused:
            db.session.rollback()
            replay = _existing_receipt(client_uuid, digest)
            if replay is None:
                raise
            return replay
        except IntegrityError:
            # The client id is stored already (a replay: a second tap, a retry after a lost
            # answer, a kiosk's queue sent again), or (rarely) the random number was taken.
            db.session.rollback()
            replay = _existing_receipt(client_uuid, digest)
            if replay is not None:
                return replay
            if attempt == ID_ATTEMPTS:
                raise
            continue
        return receipt
    raise AssertionError("unreachable")


RESPONSE_COLUMNS = frozenset(column.key for column in Response.__table__.columns)
ANSWER_COLUMNS = frozenset(column.key for column in Answer.__table__.columns)


def _insert(response: Response) -> None:
    """Store a new response and its answers with one INSERT each (an executemany for the
    answers), without the ORM's unit of work: the same columns the unit of work would write
    (those set on the objects; the others get their defaults).  The objects stay transient."""
    db.session.execute(_insert_statements()[0], [_set_columns(response, RESPONSE_COLUMNS)])
    answers = [{"response_id": response.id, "option_code": None, "text": None,
                **_set_columns(answer, ANSWER_COLUMNS)} for answer in response.answers]
    if answers:
        db.session.execute(_insert_statements()[1], answers)


def _set_columns(obj: object, columns: frozenset[str]) -> dict[str, object]:
    """The column values set on a transient object."""
    return {key: value for key, value in vars(obj).items() if key in columns}


@cache
def _insert_statements() -> tuple[Any, Any]:
    """The INSERTs of :func:`_insert`, built once."""
    return sa.insert(Response.__table__), sa.insert(Answer.__table__)


def _new_response(defn: SurveyDef, version: SurveyVersion | VersionAtLink, link: Link | PublicLink | None, channel: str,
                  client_uuid: uuid.UUID, cleaned: Answers, digest: str, stored_at: datetime, *,
                  language: str | None) -> Response:
    response = Response(
        id=_new_response_id(), client_uuid=client_uuid, survey_id=version.survey_id,
        survey_version_id=version.id, link_id=link.id if link else None, channel=channel,
        submitted_at=stored_at, fiscal_year=fiscal_year(stored_at), body_hash=digest,
        language=language, flagged=False,
    )
    for key, value in cleaned.items():
        question = defn.question(key)
        if question.type == "single":
            response.answers.append(Answer(question_key=key, option_code=value))
        elif question.type == "multiple":
            response.answers.extend(Answer(question_key=key, option_code=c) for c in value)
        else:
            response.answers.append(Answer(question_key=key, text=value))
    return response


def new_flow(link: Link | PublicLink, version_id: int, *, client_uuid: uuid.UUID | None = None,
             created_at: datetime | None = None, submitted_at: datetime | None = None) -> RespondentFlow:
    """A respondent's flow that is not stored (nothing is written): a fresh token, the client id
    its response will be stored under, no answers.  It is stored by the first use case that has
    something to keep in it (:func:`save_page_answers`, :func:`keep_rejected_input`), so a
    survey answered on one page never needs a flow row."""
    return RespondentFlow(token=secrets.token_urlsafe(32), link_id=link.id, survey_version_id=version_id,
                          client_uuid=client_uuid or uuid.uuid4(), answers={}, rejected_input=None, honeypot=False,
                          created_at=created_at or utcnow(), updated_at=created_at or utcnow(),
                          submitted_at=submitted_at)


def is_stored(flow: RespondentFlow) -> bool:
    """Whether the flow has a row (else it lives only in the respondent's session)."""
    return flow.id is not None


def find_flow(token: str | None, link: Link | PublicLink) -> RespondentFlow | None:
    """The flow with this token if it belongs to the link."""
    if not token:
        return None
    return db.session.scalar(
        db.select(RespondentFlow).where(RespondentFlow.token == token,
                                        RespondentFlow.link_id == link.id)
    )


def save_page_answers(flow: RespondentFlow, page_answers: Answers, page_keys: list[str], *,
                      honeypot: bool = False) -> str:
    """Replace the answers of one page in the flow (unanswered keys removed); forget any
    rejected input; remember a filled honeypot field for the screening; store the flow if it
    was not yet; commit; return the flow's token."""
    answers = {k: v for k, v in flow.answers.items() if k not in page_keys}
    answers.update(page_answers)
    flow.answers = answers
    flow.rejected_input = None
    flow.honeypot = flow.honeypot or honeypot
    flow.updated_at = utcnow()
    token = flow.token
    db.session.add(flow)
    db.session.commit()
    return token


def keep_rejected_input(flow: RespondentFlow, page: int, values: Mapping[str, list[str]], *,
                        honeypot: bool = False) -> str:
    """Remember what was entered on a page that did not validate, so that the page shown after
    the redirect can show it again with its errors (nothing of it becomes an answer), and a
    filled honeypot field for the screening; store the flow if it was not yet; commit; return
    the flow's token."""
    flow.rejected_input = {"page": page, "values": {k: list(v) for k, v in values.items()}}
    flow.honeypot = flow.honeypot or honeypot
    flow.updated_at = utcnow()
    token = flow.token
    db.session.add(flow)
    db.session.commit()
    return token


def rejected_input(flow: RespondentFlow, page: int) -> dict[str, list[str]] | None:
    """The input kept for this page by :func:`keep_rejected_input`, if any."""
    kept = flow.rejected_input
    if not kept or kept.get("page") != page:
        return None
    values = kept.get("values") or {}
    return {str(k): [str(v) for v in vs] for k, vs in values.items()}


def mark_flow_submitted(flow: RespondentFlow, receipt: Receipt) -> str:
    """Remember that the flow's response is stored; drop the partial answers and every time
    finer than the response's own; give the flow a new token (returned) so that a copy of the
    old session cookie leads nowhere; commit."""
    flow.submitted_at = receipt.submitted_at
    flow.created_at = flow.updated_at = receipt.submitted_at
    flow.answers = {}
    flow.rejected_input = None
    flow.token = secrets.token_urlsafe(32)
    db.session.commit()
    return flow.token


def discard_flow(flow: RespondentFlow) -> None:
    """Forget a flow and its partial answers; commit."""
    db.session.delete(flow)
    db.session.commit()


def purge_stale_flows(older_than: timedelta, *, now: datetime | None = None) -> int:
    """Delete flows untouched for ``older_than`` with their partial answers; commit; count.

    Partial answers are only kept while someone may still be answering; stored responses are
    not touched.
    """
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(
        db.delete(RespondentFlow).where(RespondentFlow.updated_at < cutoff)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def stored_answers(defn: SurveyDef, client_uuid: uuid.UUID) -> Answers | None:
    """The answers stored under a client id, in the shape they were submitted (None if absent)."""
    response = db.session.scalar(db.select(Response).where(Response.client_uuid == client_uuid))
    if response is None:
        return None
    answers: Answers = {}
    for answer in response.answers:
        if answer.text is not None:
            answers[answer.question_key] = answer.text
        elif answer.option_code is not None:
            if defn.question(answer.question_key).type == "multiple":
                codes = answers.setdefault(answer.question_key, [])
                assert isinstance(codes, list)
                codes.append(answer.option_code)
            else:
                answers[answer.question_key] = answer.option_code
    return answers
