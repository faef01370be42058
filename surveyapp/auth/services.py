"""Staff account use cases: log in, create, change role, deactivate, reset and change passwords.

Every change is audited; each function commits once.  ``by`` is the staff member who acts
(``None`` for the command line).  Changing a role, deactivating an account and setting a new
password raise the account's session version, which ends all of its sessions.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db
from ..timeutil import utcnow
from . import throttle
from .models import StaffUser
from .passwords import has_control_characters, password_problem
from .roles import ROLE_NAMES

EMAIL_MAX = 254
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESET_CODE_LENGTH = 16
UNKNOWN_ACCOUNT = _l("（登録のないアカウント）")  # audit target when the typed e-mail is unknown


@functools.cache
def _dummy_hash() -> str:
    """Compared against when the e-mail is unknown, so a login takes as long either way
    (made on first use: hashing takes a noticeable time, which every command would pay)."""
    return generate_password_hash("not-a-real-password-0000")


class AccountError(ValueError):
    """A staff account change was refused; ``code`` says why (the caller words the message).

    Codes: invalid_email, email_taken, invalid_role, last_admin, wrong_password, invalid_code,
    and every code of :func:`passwords.password_problem`.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normal_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> str:
    """The normalised address, or AccountError('invalid_email')."""
    email = normal_email(email)
    if len(email) > EMAIL_MAX or has_control_characters(email) or not EMAIL_PATTERN.match(email):
        raise AccountError("invalid_email")
    return email


def _check_password(password: str, email: str) -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise AccountError(problem)


def _set_password(user: StaffUser, password: str, now: datetime) -> None:
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = now
    user.must_change_password = False
    user.reset_code_hash = None
    user.reset_expires_at = None
    user.session_version += 1


# --------------------------------------------------------------------------- reading


def any_staff_exists() -> bool:
    """True once the first account has been made (the first-run page closes then)."""
    return db.session.scalar(db.select(StaffUser.id).limit(1)) is not None


def list_accounts() -> list[StaffUser]:
    """Every account: active ones first, then by e-mail address."""
    return list(db.session.scalars(
        db.select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)))


def get_account(user_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def find_account(email: str) -> StaffUser | None:
    return db.session.scalar(db.select(StaffUser).where(StaffUser.email == normal_email(email)))


def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: ``"<id>.<session version>"``; an older version, an inactive
    account or anything else gives None (the session no longer counts)."""
    ident, _, version = user_id.partition(".")
    if not (ident.isdigit() and version.isdigit()) or len(ident) > 12 or len(version) > 12:
        return None
    user = db.session.get(StaffUser, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _active_admins_besides(user: StaffUser) -> int:
    return db.session.scalar(db.select(func.count(StaffUser.id)).where(
        StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id)) or 0


# --------------------------------------------------------------------------- creating


def create_staff(email: str, password: str, role: str, *, by: int | None = None,
                 must_change: bool = False) -> StaffUser:
    """Create an account with a hashed password that meets the policy; commit."""
    user = _new_account(email, role)
    _check_password(password, user.email)
    _set_password(user, password, utcnow())
    user.must_change_password = must_change
    db.session.add(user)
    db.session.flush()
    record(by, "staff.create", user.email, role=role, account_id=user.id, must_change=must_change)
    db.session.commit()
    return user


def _new_account(email: str, role: str) -> StaffUser:
    email = valid_email(email)
    if role not in ROLE_NAMES:
        raise AccountError("invalid_role")
    if find_account(email) is not None:
        raise AccountError("email_taken")
    # No one knows this password: the new member sets theirs with a reset code.
    return StaffUser(email=email, role=role, active=True, session_version=1, must_change_password=False,
                     password_hash=generate_password_hash(secrets.token_urlsafe(32)))


@dataclass(frozen=True)
class ResetCode:
    """A one-time code, shown once; only its digest is stored."""

    user: StaffUser
    code: str
    expires_at: datetime

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _normal_code(raw: str) -> str:
    return re.sub(r"[\s\-‐－ー]", "", raw).lower()


def _issue(user: StaffUser, now: datetime) -> ResetCode:
    from ..surveys.services import LINK_ALPHABET  # not needed by the other account commands

    code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(RESET_CODE_LENGTH))
    expires = now + timedelta(hours=int(current_app.config["PASSWORD_RESET_HOURS"]))
    user.reset_code_hash = _digest(code)
    user.reset_expires_at = expires
    return ResetCode(user, code, expires)


def invite_staff(email: str, role: str, *, by: int | None) -> ResetCode:
    """Create an account whose holder sets the password with a one-time code; commit."""
    now = utcnow()
    user = _new_account(email, role)
    db.session.add(user)
    db.session.flush()
    reset = _issue(user, now)
    record(by, "staff.create", user.email, role=role, account_id=user.id)
    record(by, "staff.reset_issued", user.email, account_id=user.id, expires_at=reset.expires_at.isoformat())
    db.session.commit()
    return reset


# --------------------------------------------------------------------------- changing


def change_role(user: StaffUser, role: str, *, by: int | None) -> None:
    """Give the account another role (never the last active admin's); ends its sessions; commit."""
    if role not in ROLE_NAMES:
        raise AccountError("invalid_role")
    if role == user.role:
        return
    if user.role == "admin" and user.active and _active_admins_besides(user) == 0:
        raise AccountError("last_admin")
    record(by, "staff.role", user.email, account_id=user.id, old=user.role, new=role)
    user.role = role
    user.session_version += 1
    db.session.commit()


def set_active(user: StaffUser, active: bool, *, by: int | None) -> None:
    """Deactivate (ends its sessions; never the last active admin) or reactivate; commit."""
    if active == user.active:
        return
    if not active and user.role == "admin" and _active_admins_besides(user) == 0:
        raise AccountError("last_admin")
    user.active = active
    user.session_version += 1
    record(by, "staff.reactivate" if active else "staff.deactivate", user.email, account_id=user.id)
    db.session.commit()


def issue_reset(user: StaffUser, *, by: int | None) -> ResetCode:
    """A new one-time code for this account (replacing an earlier one); commit."""
    reset = _issue(user, utcnow())
    record(by, "staff.reset_issued", user.email, account_id=user.id, expires_at=reset.expires_at.isoformat())
    db.session.commit()
    return reset


def require_password_change(user: StaffUser, *, by: int | None) -> None:
    """The account must choose a new password right after its next login; commit."""
    user.must_change_password = True
    record(by, "staff.must_change", user.email, account_id=user.id)
    db.session.commit()


def unlock(email: str, *, by: int | None) -> int:
    """Forget the failed logins on this account (their waits end); commit. Returns how many."""
    count = throttle.clear_account(email)
    record(by, "staff.unlock", normal_email(email)[:200], failures=count)
    db.session.commit()
    return count


def change_password(user: StaffUser, current: str, new: str) -> None:
    """The holder sets a new password, proving the current one; ends every session; commit."""
    if not check_password_hash(user.password_hash, current):
        record(user.id, "staff.password_change_failed", user.email, account_id=user.id)
        db.session.commit()
        raise AccountError("wrong_password")
    if check_password_hash(user.password_hash, new):
        raise AccountError("same_password")
    _check_password(new, user.email)
    _set_password(user, new, utcnow())
    record(user.id, "staff.password_changed", user.email, account_id=user.id)
    db.session.commit()


def reset_password(raw_code: str, new: str, attempt: throttle.Attempt) -> StaffUser:
    """Set a new password with a valid one-time code (then spent); ends every session; commit.

    A wrong code counts as a failed login from this source, so codes cannot be guessed fast.
    """
    now = utcnow()
    if throttle.wait_seconds(attempt, now):
        raise AccountError("throttled")
    code = _normal_code(raw_code)
    user = None
    if len(code) == RESET_CODE_LENGTH:
        user = db.session.scalar(db.select(StaffUser).where(StaffUser.reset_code_hash == _digest(code)))
    if (user is None or not user.active or user.reset_expires_at is None
            or user.reset_expires_at < now):
        throttle.add_failure(attempt, now)
        record(None, "staff.reset_failed", str(UNKNOWN_ACCOUNT) if user is None else user.email,
               source=attempt.source)
        db.session.commit()
        raise AccountError("invalid_code")
    _check_password(new, user.email)
    _set_password(user, new, now)
    record(user.id, "staff.password_reset", user.email, account_id=user.id)
    db.session.commit()
    return user


# --------------------------------------------------------------------------- logging in


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    wait_seconds: int = 0  # > 0: refused without checking the password; try again after this


def authenticate(email: str, password: str, attempt: throttle.Attempt) -> LoginResult:
    """Check a login under the throttle; audit a failure or the login; commit.

    Unknown accounts cost the same hash check as known ones and get the same answer.
    """
    now = utcnow()
    wait = throttle.wait_seconds(attempt, now)
    if wait:
        return LoginResult(None, wait)
    user = find_account(email) if len(email) <= EMAIL_MAX else None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        reason = "unknown"
    elif not check_password_hash(user.password_hash, password):
        reason = "password"
    elif not user.active:
        reason = "inactive"
    else:
        throttle.forget_failures(attempt)
        user.last_login_at = now
        record(user.id, "staff.login", user.email, source=attempt.source,
               device=attempt.device is not None)
        db.session.commit()
        return LoginResult(user)
    next_wait = throttle.add_failure(attempt, now)
    record(None, "staff.login_failed", str(UNKNOWN_ACCOUNT) if user is None else user.email,
           reason=reason, account=attempt.account, source=attempt.source,
           device=attempt.device is not None, wait_seconds=next_wait)
    db.session.commit()
    return LoginResult(None)


def record_logout(user: StaffUser) -> None:
    """Logging out ends every session of the account; commit."""
    user.session_version += 1
    record(user.id, "staff.logout", user.email)
    db.session.commit()


def record_expired(user_id: int, reason: str) -> None:
    """A session ended by the idle timeout or the absolute lifetime; commit."""
    user = db.session.get(StaffUser, user_id)
    if user is not None:
        record(user.id, "staff.session_expired", user.email, reason=reason)
        db.session.commit()
