"""Invitation waves of a mailed random sample, their strata and their one-time codes.

What is stored per invitation: a keyed hash of its code, its stratum (the coarse cells it was
drawn in), a serial number within the wave, and its state (unused → started → used, and
whether the letter came back undelivered). Not stored: the sampling frame's ``frame_id``,
names, addresses, or anything linking an invitation to a response. Of the frame only the
number of people per stratum is kept (for weighting).

A response that came in through an invitation carries only the stratum
(``responses.invitation_stratum_id``), never the invitation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..surveys.models import Link, Survey
from ..timeutil import utcnow

WAVE_KINDS = ("draw", "codes", "reminder")
ALLOCATIONS = ("proportional", "fixed")
STATES = ("unused", "started", "used")


class InvitationWave(db.Model):  # type: ignore[name-defined]
    """One mailing: a drawn sample (``draw``), codes for a sample drawn elsewhere (``codes``),
    or a reminder (``reminder``) that re-uses the codes of ``parent``."""

    __tablename__ = "invitation_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id"), unique=True, default=None)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_waves.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100))
    sent_on: Mapped[date | None] = mapped_column(default=None)
    deadline: Mapped[date | None] = mapped_column(default=None)
    minutes: Mapped[int | None] = mapped_column(default=None)
    contact: Mapped[str | None] = mapped_column(Text, default=None)
    with_paper: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[str | None] = mapped_column(String(32), default=None)
    allocation: Mapped[str | None] = mapped_column(String(16), default=None)
    requested_n: Mapped[int | None] = mapped_column(default=None)
    stratum_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    frame_rows: Mapped[int | None] = mapped_column(default=None)
    frame_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    invited: Mapped[int] = mapped_column(default=0)
    reminded: Mapped[int | None] = mapped_column(default=None)
    codes_erased_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)

    survey: Mapped[Survey] = relationship()
    link: Mapped[Link | None] = relationship()
    parent: Mapped[InvitationWave | None] = relationship(remote_side=[id])
    strata: Mapped[list[InvitationStratum]] = relationship(
        back_populates="wave", order_by="InvitationStratum.position", cascade="all, delete-orphan")

    @property
    def has_frame(self) -> bool:
        return self.kind == "draw"


class InvitationStratum(db.Model):  # type: ignore[name-defined]
    """A stratum of a wave: its cells (e.g. {"age_band": "18_29", "gender": "female"}), how
    many people the frame had in it (``frame_count``; None without a frame) and how many
    invitations were drawn from it."""

    __tablename__ = "invitation_strata"
    __table_args__ = (UniqueConstraint("wave_id", "cells_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("invitation_waves.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int]
    cells: Mapped[dict[str, Any]] = mapped_column(JSON)
    cells_key: Mapped[str] = mapped_column(String(400))
    frame_count: Mapped[int | None] = mapped_column(default=None)
    invited: Mapped[int] = mapped_column(default=0)

    wave: Mapped[InvitationWave] = relationship(back_populates="strata")

    def label(self, columns: list[str]) -> str:
        """「18_29 × female」 in the wave's column order (「全体」 without strata)."""
        values = [str(self.cells.get(c, "")) for c in columns]
        return " × ".join(values) if values else _("全体")


class Invitation(db.Model):  # type: ignore[name-defined]
    """One letter: the keyed hash of its code, its stratum, its serial in the wave, its state.

    ``state``: ``unused``; ``started`` (a respondent began on the web and has not submitted);
    ``used`` (a response is stored; ``used_channel`` says ``invitation`` for the web or
    ``paper``). ``flow_id`` points at the unfinished answers while ``started`` so that the
    same code resumes them; it is cleared in the transaction that stores the response.
    """

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("wave_id", "serial"),
                      Index("ix_invitations_stratum_state", "stratum_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("invitation_waves.id"))
    stratum_id: Mapped[int] = mapped_column(ForeignKey("invitation_strata.id"))
    serial: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="unused")
    used_channel: Mapped[str | None] = mapped_column(String(16), default=None)
    undelivered: Mapped[bool] = mapped_column(default=False)
    flow_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent_flows.id", ondelete="SET NULL"), unique=True, default=None)

    wave: Mapped[InvitationWave] = relationship()
    stratum: Mapped[InvitationStratum] = relationship()


class InvitationHandover(db.Model):  # type: ignore[name-defined]
    """The plain codes (and frame ids) of a new wave, encrypted with a key derived from the
    app's secret key, kept only until staff confirm they have the files (or it expires), so a
    failed download can be repeated. Deleted on confirmation; never part of any result."""

    __tablename__ = "invitation_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("invitation_waves.id", ondelete="CASCADE"),
                                         unique=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class CodeAttempt(db.Model):  # type: ignore[name-defined]
    """Failed code look-ups per source (keyed hash of the address) and time window."""

    __tablename__ = "code_attempts"
    __table_args__ = (UniqueConstraint("source", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime] = mapped_column(index=True)
    failures: Mapped[int] = mapped_column(default=0)
