"""Staff use cases that write: logging a download, a reading of comments or a reveal (one audit
entry, committed)."""

from __future__ import annotations

from typing import Any

from ..audit import record
from ..extensions import db


def log_download(user_id: int | None, action: str, target: str, **detail: Any) -> None:
    """Record who downloaded or read what (with the filter and format) and commit before sending."""
    record(user_id, action, target, **detail)
    db.session.commit()


def log_comments_view(user_id: int | None, target: str, *, revealed: bool, **detail: Any) -> None:
    """Record that comments were read on screen and, if so, that the phone numbers and e-mail
    addresses in them were shown; commit."""
    record(user_id, "comments.view", target, revealed=revealed, **detail)
    if revealed:
        record(user_id, "comments.reveal", target, **detail)
    db.session.commit()
