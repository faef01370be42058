"""Where recent submissions came from: keyed hashes with times, kept one day, never joined to a response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class SourceEvent(db.Model):  # type: ignore[name-defined]
    """One stored public response: the keyed hash of the address and of the browser session.

    No response id, no survey, no link: the row only lets the next submission count its
    neighbours.  Rows older than a day are deleted (on every submission and by ``purge-flows``).
    """

    __tablename__ = "submission_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(32), index=True)
    session_hash: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
