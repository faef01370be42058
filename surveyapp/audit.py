"""Audit log: who did what, when (downloads, survey changes, account changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow


class AuditEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(user_id: int | None, action: str, target: str, **detail: Any) -> AuditEntry:
    """Add an audit entry to the session (the caller's use case commits it)."""
    entry = AuditEntry(user_id=user_id, action=action, target=target, detail=detail)
    db.session.add(entry)
    return entry
