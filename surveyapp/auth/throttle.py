"""Login throttling with back-off, decided from the database so it holds across workers.

Each refused login is a :class:`LoginFailure` row with keyed hashes of the typed account and
of the client's address.  After ``LOGIN_FREE_FAILURES`` failures on one account (or
``LOGIN_SOURCE_FREE_FAILURES`` from one source, over all accounts) within a day, the next try
must wait: 30 s, then twice as long after each further failure, at most
``LOGIN_MAX_DELAY_SECONDS``.  The wait only depends on what was typed, never on whether the
account exists, so unknown and known accounts are throttled alike.

There is no lockout: the wait is capped and failures older than a day are forgotten. So that
an attacker who keeps failing on the admin's address cannot keep the admin out, a browser that
has logged in to an account before carries a signed *device cookie* for it; its tries skip the
account-wide and source-wide counts and are throttled only on their own failures. An admin can
also clear an account's count (``flask staff unlock``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..sources import source_hash
from ..timeutil import utcnow
from .models import LoginFailure

WINDOW = timedelta(days=1)
FIRST_DELAY_SECONDS = 30
_ACCOUNT_LABEL = b"surveyapp/login-account/v1"


def account_key(email: str) -> str:
    """A keyed hash (32 hex characters) of a typed e-mail address, normalised."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = hmac.new(secret, _ACCOUNT_LABEL, hashlib.sha256).digest()
    normal = email.strip().lower().encode("utf-8", "replace")
    return hmac.new(key, normal, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the typed account, the client's source and (if any) a trusted device."""

    account: str
    source: str
    device: str | None = None

    @classmethod
    def for_request(cls, email: str, device: str | None) -> Attempt:
        return cls(account_key(email), source_hash(), device)

    @classmethod
    def for_reset_code(cls) -> Attempt:
        """Typing a reset code: counted against this source only (no account is known yet)."""
        source = source_hash()
        return cls(account_key(f"reset-code/{source}"), source)


def delay_after(failures: int, free: int, cap: int) -> int:
    """Seconds to wait after ``failures`` recent failures when ``free`` are allowed."""
    if failures < free:
        return 0
    return min(cap, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20))


def _count(condition: object, since: datetime) -> tuple[int, datetime | None]:
    row = db.session.execute(
        db.select(func.count(LoginFailure.id), func.max(LoginFailure.at))
        .where(condition, LoginFailure.at >= since)).one()
    return int(row[0]), row[1]


def wait_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    """How long this attempt must still wait before a password is even checked (0: go ahead)."""
    now = now or utcnow()
    since = now - WINDOW
    cap = int(current_app.config["LOGIN_MAX_DELAY_SECONDS"])
    if attempt.device is not None:
        checks = [(LoginFailure.device == attempt.device, int(current_app.config["LOGIN_FREE_FAILURES"]))]
    else:
        checks = [
            ((LoginFailure.account == attempt.account) & LoginFailure.device.is_(None),
             int(current_app.config["LOGIN_FREE_FAILURES"])),
            ((LoginFailure.source == attempt.source) & LoginFailure.device.is_(None),
             int(current_app.config["LOGIN_SOURCE_FREE_FAILURES"])),
        ]
    wait = 0
    for condition, free in checks:
        count, last = _count(condition, since)
        if last is None:
            continue
        remaining = delay_after(count, free, cap) - (now - last).total_seconds()
        wait = max(wait, int(remaining + 0.999))
    return wait


def add_failure(attempt: Attempt, now: datetime | None = None) -> int:
    """Store one failure (flush only) and forget those older than the window; returns the wait
    the next try of this attempt will face."""
    now = now or utcnow()
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    db.session.add(LoginFailure(at=now, account=attempt.account, source=attempt.source,
                                device=attempt.device))
    db.session.flush()
    return wait_seconds(attempt, now)


def forget_failures(attempt: Attempt) -> None:
    """After a successful login: this account's failures from this source or device (flush)."""
    condition = (LoginFailure.account == attempt.account) & (LoginFailure.source == attempt.source)
    if attempt.device is not None:
        condition = condition | (LoginFailure.device == attempt.device)
    db.session.execute(db.delete(LoginFailure).where(condition))


def clear_account(email: str) -> int:
    """Forget every failure on this account (``flask staff unlock``); flush only."""
    result = db.session.execute(db.delete(LoginFailure).where(LoginFailure.account == account_key(email)))
    return int(getattr(result, "rowcount", 0) or 0)
