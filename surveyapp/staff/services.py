"""Staff use cases that write: logging a download or a reveal (one audit entry, committed)."""

from __future__ import annotations

from typing import Any

from ..audit import record
from ..extensions import db


def log_download(user_id: int | None, action: str, target: str, **detail: Any) -> None:
    """Record who downloaded what (with the filter and format) and commit before sending."""
    record(user_id, action, target, **detail)
    db.session.commit()


def log_reveal(user_id: int | None, target: str, **detail: Any) -> None:
    """Record that phone numbers and e-mail addresses in free text were shown; commit."""
    record(user_id, "comments.reveal", target, **detail)
    db.session.commit()
