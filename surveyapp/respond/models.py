"""What was answered (Response, Answer) and the respondent's in-progress flow.

A response carries no name, no IP address and no user agent: only the survey version, the link
and channel it came through, when (to the minute, see ``RESPONSE_TIME_MINUTES``), the language
the respondent answered in, the answers, and — when the screening found it suspicious — its
flags with their reasons.  Its number is drawn at random, so that neither the number nor the
order of rows tells who answered first.  A response to an invitation letter also carries the
stratum the invitation was drawn in (coarse cells such as age band × gender, for response
rates and weighting) — never the invitation or its code.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Response(db.Model):  # type: ignore[name-defined]
    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_survey_fy", "survey_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    fiscal_year: Mapped[int]
    body_hash: Mapped[str] = mapped_column(String(64))
    # Set by the screening (surveyapp.screening); results leave flagged responses out by default.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    invitation_stratum_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation_strata.id"), index=True, default=None)
    # The language the respondent answered in (our code, e.g. "pt-BR"); None for responses
    # stored before it was recorded, and for paper and demo data.
    language: Mapped[str | None] = mapped_column(String(16), default=None)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(db.Model):  # type: ignore[name-defined]
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_question_option", "question_key", "option_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(64))
    option_code: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class RespondentFlow(db.Model):  # type: ignore[name-defined]
    """Server-side state of one respondent's way through a survey (partial answers live here)."""

    __tablename__ = "respondent_flows"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    honeypot: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What was entered on a page that did not validate ({"page": n, "values": {name: [...]}}),
    # shown again with its errors after the redirect; cleared when a page is accepted.
    rejected_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class ResponseCount(db.Model):  # type: ignore[name-defined]
    """How many responses (``question_key`` ""), or answers with one option, a survey has in one
    cell of what results filter on: kept in the transaction that stores or changes a response
    (see :mod:`surveyapp.respond.counts`).  No column is NULL (no link is 0, the response row
    has "" as question and option), so the primary key is the upsert's conflict target on
    every database."""

    __tablename__ = "response_counts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    link_id: Mapped[int] = mapped_column(primary_key=True)
    flagged: Mapped[bool] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # Japan calendar day of submission
    n: Mapped[int]


class AnswerPairCount(db.Model):  # type: ignore[name-defined]
    """How many responses gave option ``option_code`` to ``question_key`` and ``group_option``
    to another question ``group_question``, per fiscal year, channel, link and flag (no day):
    breakdowns and "only those who answered X" filters.  With group question and option ""
    the rows are those of :class:`ResponseCount` without the day (a few hundred rows per
    survey, for results without a date range).  Kept like :class:`ResponseCount`."""

    __tablename__ = "answer_pair_counts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_question: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_option: Mapped[str] = mapped_column(String(64), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    link_id: Mapped[int] = mapped_column(primary_key=True)
    flagged: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int]


class ProfileCount(db.Model):  # type: ignore[name-defined]
    """How many responses (``question_key`` "") or coded answers to a question that is not in
    the profile a survey has per cell and per *profile*: the response's answers to the profile
    questions of the version it answered (the demographic ones, then the other single-choice
    questions that are not a KPI's: :func:`~surveyapp.respond.counts.profile_questions`), written
    ``key=option;`` per question (``key=;`` when not answered).  Breakdowns under "only those who
    answered X" read it.  No day; kept like :class:`ResponseCount`."""

    __tablename__ = "profile_counts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    link_id: Mapped[int] = mapped_column(primary_key=True)
    flagged: Mapped[bool] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(400), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int]


class ProfileDayCount(db.Model):  # type: ignore[name-defined]
    """The cells of :class:`ProfileCount` per Japan day of submission (results with a date
    range read the days at either end of it that do not make a whole month); the day comes
    right after the question in the key, so a date range is one range of the primary key per
    question."""

    __tablename__ = "profile_day_counts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    link_id: Mapped[int] = mapped_column(primary_key=True)
    flagged: Mapped[bool] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(400), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int]


class ProfileMonthCount(db.Model):  # type: ignore[name-defined]
    """The cells of :class:`ProfileDayCount` per calendar month (``month``: its first day):
    results with a date range read the whole months in it here (a thirtieth of the rows)."""

    __tablename__ = "profile_month_counts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    link_id: Mapped[int] = mapped_column(primary_key=True)
    flagged: Mapped[bool] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(400), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int]
