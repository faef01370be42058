"""Staff use cases that write: logging a download or a reading of comments (one audit entry,
committed)."""

from __future__ import annotations

from typing import Any

from ..audit import record
from ..extensions import db


def log_download(user_id: int | None, action: str, target: str, **detail: Any) -> None:
    """Record who downloaded or read what (with the filter and format) and commit before sending."""
    record(user_id, action, target, **detail)
    db.session.commit()
