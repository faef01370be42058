"""Staff accounts and failed logins. Passwords are stored only as werkzeug (scrypt) hashes;
one-time reset codes only as SHA-256 digests."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class StaffUser(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # Part of every session's identity: raising it ends all of this account's sessions.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    reset_code_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    reset_expires_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session remembers the account *and* its session version (see ``load_user``)."""
        return f"{self.id}.{self.session_version}"


class LoginFailure(db.Model):  # type: ignore[name-defined]
    """A refused login, kept for a day to slow down guessing (see ``auth.throttle``).

    ``account`` and ``source`` are keyed hashes (of the typed e-mail address and of the client
    address), so the table never holds an address or the text someone typed; ``device`` is set
    when the browser carried a device cookie of that account.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    device: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
