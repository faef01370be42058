"""Courses and their sessions, and the kiosk devices that collect answers on shared tablets.

A device is known only by the hash of its credential; the plain credential lives in the
tablet's browser.  Nothing here is joined to what a respondent answered.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..surveys.models import Link
from ..timeutil import utcnow


class Course(db.Model):  # type: ignore[name-defined]
    """A course title from the list that course staff manage (e.g. 「スマートフォン入門」)."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.held_on")


class CourseSession(db.Model):  # type: ignore[name-defined]
    """One holding of a course; its answers come in through its own kiosk link."""

    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    held_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200))
    instructor: Mapped[str] = mapped_column(String(100))
    attendees: Mapped[int]
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)

    course: Mapped[Course] = relationship(back_populates="sessions")
    link: Mapped[Link] = relationship()


class KioskDevice(db.Model):  # type: ignore[name-defined]
    """A tablet enrolled for kiosk mode (e.g. 「川島会場タブレット2」).

    ``credential_hash`` and ``enroll_code_hash`` are SHA-256 digests of random secrets (the
    secrets are long and random, so a fast hash is enough); ``pin_hash`` is a salted
    password hash because a PIN is short.  ``pending_count`` is what the device last reported
    about its own queue.
    """

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    enroll_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    enroll_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    pin_hash: Mapped[str] = mapped_column(String(256))
    pin_failures: Mapped[int] = mapped_column(default=0)
    pin_locked_until: Mapped[datetime | None] = mapped_column(default=None)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id"), index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    enrolled_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    pending_count: Mapped[int] = mapped_column(default=0)
    refused_count: Mapped[int] = mapped_column(default=0)

    link: Mapped[Link | None] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class KioskAssignment(db.Model):  # type: ignore[name-defined]
    """A kiosk link a device has been assigned to, now or before.

    A device delivers answers only for these links: answers queued for an earlier session
    still arrive after staff have moved the tablet on, and no other link can be answered.
    """

    __tablename__ = "kiosk_assignments"
    __table_args__ = (UniqueConstraint("device_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_devices.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
