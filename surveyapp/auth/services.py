"""Staff account use cases."""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db
from ..timeutil import utcnow
from .models import ROLES, StaffUser

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Compared against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(ValueError):
    """A staff account could not be created; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def any_staff_exists() -> bool:
    """True once the first account has been made (the first-run page closes then)."""
    return db.session.scalar(db.select(StaffUser.id).limit(1)) is not None


def create_staff(email: str, password: str, role: str, *, by: int | None = None) -> StaffUser:
    """Create an account with a hashed password; commit."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise AccountError("invalid_email")
    if role not in ROLES:
        raise AccountError("invalid_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password")
    if db.session.scalar(db.select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise AccountError("email_taken")
    user = StaffUser(email=email, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.flush()
    record(by, "staff.create", email, role=role, account_id=user.id)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account for these credentials (records the login), or None."""
    user = db.session.scalar(
        db.select(StaffUser).where(StaffUser.email == email.strip().lower())
    )
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    record(user.id, "staff.login", user.email)
    db.session.commit()
    return user


def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader."""
    if not user_id.isdigit():
        return None
    return db.session.get(StaffUser, int(user_id))
