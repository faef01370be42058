"""Paper questionnaires received by post and keyed twice by two different staff members.

* A **batch** (``PaperBatch``) is a stack of questionnaires of one survey received together:
  the survey version printed on them, optionally the invitation wave they answer, the date
  they were received and how many there are. Its responses come in through its own link
  (channel ``paper``, never active on the web), so results can be split by batch.
* A **questionnaire** (``PaperQuestionnaire``) is one sheet of a batch, known by the serial
  number printed on it. It becomes one response, exactly once (its ``client_uuid`` is the
  response's client id), when its two entries agree or their differences are resolved.
* An **entry** (``PaperEntry``) is one keying of a questionnaire by one staff member:
  ``round`` 1 or 2, never both by the same person (a unique constraint, and the service
  says so first).

Values of an entry, per question key (``values``): a single choice is an option code,
``BLANK`` (無回答) or ``UNCLEAR`` (複数回答・判読不能); a multiple choice is a list of
codes, ``BLANK`` or ``UNCLEAR``; a text is the text typed ("" when blank). The invitation
code is kept only as its keyed hash (``code_hash``, None when the box was empty), and only
until the questionnaire is done: then the hashes are erased, so that no row links answers
to an invitation.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..invitations.models import InvitationWave
from ..surveys.models import Link, Survey, SurveyVersion
from ..timeutil import utcnow

BLANK = "-"
"""An entry value: the respondent left the question blank (無回答)."""
UNCLEAR = "*"
"""An entry value: several boxes of a single choice ticked, or the mark cannot be read
(複数回答・判読不能)."""
MARKS = (BLANK, UNCLEAR)

STATES = ("keying", "discrepancies", "duplicate", "done", "set_aside")
"""A questionnaire is ``keying`` until its second entry; then ``done`` (a response), or
``discrepancies`` (the entries differ: to be resolved against the paper), or ``duplicate``
(its code is already used by another response: to be decided), and after a decision to keep
the other response ``set_aside``."""
FINAL_STATES = ("done", "set_aside")


class PaperBatch(db.Model):  # type: ignore[name-defined]
    __tablename__ = "paper_batches"
    __table_args__ = (UniqueConstraint("survey_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_waves.id"), default=None)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    received_on: Mapped[date]
    expected: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)

    survey: Mapped[Survey] = relationship()
    version: Mapped[SurveyVersion] = relationship()
    wave: Mapped[InvitationWave | None] = relationship()
    link: Mapped[Link] = relationship()
    questionnaires: Mapped[list[PaperQuestionnaire]] = relationship(
        back_populates="batch", order_by="PaperQuestionnaire.serial")


class PaperQuestionnaire(db.Model):  # type: ignore[name-defined]
    __tablename__ = "paper_questionnaires"
    __table_args__ = (UniqueConstraint("batch_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id"), index=True)
    serial: Mapped[int]
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    state: Mapped[str] = mapped_column(String(16), default="keying")
    final_values: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    has_code: Mapped[bool] = mapped_column(default=False)
    duplicate_of: Mapped[str | None] = mapped_column(String(16), default=None)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    batch: Mapped[PaperBatch] = relationship(back_populates="questionnaires")
    entries: Mapped[list[PaperEntry]] = relationship(
        back_populates="questionnaire", order_by="PaperEntry.round", cascade="all, delete-orphan")

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


class PaperEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("questionnaire_id", "round"),
                      UniqueConstraint("keyed_by", "questionnaire_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("paper_questionnaires.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    keyed_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    keyed_at: Mapped[datetime] = mapped_column(default=utcnow)
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    questionnaire: Mapped[PaperQuestionnaire] = relationship(back_populates="entries")
