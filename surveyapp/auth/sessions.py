"""Staff sessions: begun fresh at login, ended at logout, with an idle timeout and an absolute
lifetime, and revocable because the session names the account's session version.

The session lives in Flask's signed cookie.  It holds ``"<id>.<version>"`` (see
``StaffUser.get_id``), so raising the account's version (logout, password, role, deactivation)
makes every copy of every cookie of that account worthless.  Logging in clears the session
(and with it the CSRF secret) and starts a new one; logging out clears it.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app, flash, g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from .models import StaffUser

STARTED = "staff_started"
SEEN = "staff_seen"
SEEN_RESOLUTION = 30  # seconds: the cookie is rewritten at most this often for the idle clock
DEVICE_COOKIE = "surveyapp_device"
DEVICE_LIFETIME = timedelta(days=180)
_CSRF_KEYS = ("csrf_token",)


def _now() -> float:
    return time.time()


def _forget_csrf() -> None:
    for key in _CSRF_KEYS:
        g.pop(key, None)


def begin_session(user: StaffUser) -> None:
    """A new session for ``user``: nothing of the previous one (nor its CSRF secret) is kept."""
    session.clear()
    _forget_csrf()
    login_user(user)
    now = int(_now())
    session[STARTED] = now
    session[SEEN] = now


def end_session() -> None:
    """Forget the login and everything else in the session (the CSRF secret too)."""
    logout_user()
    session.clear()
    _forget_csrf()


def _expiry_reason(now: float) -> str | None:
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "invalid"
    if now - seen > int(current_app.config["SESSION_IDLE_MINUTES"]) * 60:
        return "idle"
    if now - started > int(current_app.config["SESSION_MAX_HOURS"]) * 3600:
        return "lifetime"
    return None


def _check_session() -> None:
    """Before every request: end a staff session that was idle or lived too long."""
    user_id = session.get("_user_id")
    if user_id is None:
        return
    now = _now()
    reason = _expiry_reason(now)
    if reason is None:
        if now - session[SEEN] >= SEEN_RESOLUTION:
            session[SEEN] = int(now)
        return
    from .services import load_user, record_expired

    user = load_user(str(user_id))
    end_session()
    if user is not None:
        record_expired(user.id, reason)
        flash(_("一定時間操作がなかったか、ログインから時間がたったため、ログアウトしました。"
                "もう一度ログインしてください。"))


# --------------------------------------------------------------------------- device cookie


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="surveyapp-staff-device")  # type: ignore[arg-type]


def trusted_device(email: str) -> str | None:
    """The device id of this browser's device cookie if it was issued for this account."""
    from .throttle import account_key  # with the login models: not needed to start the app

    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and len(device) <= 32 else None


def remember_device(response: Response, email: str, device: str | None) -> None:
    """After a successful login: mark this browser as one this account has used."""
    from .throttle import account_key

    value = _serializer().dumps({"a": account_key(email), "d": device or secrets.token_hex(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=int(DEVICE_LIFETIME.total_seconds()),
                        path="/staff", secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
                        httponly=True, samesite="Lax")


def init_auth(app: Flask) -> None:
    """Session checks on every request and the template helpers of staff pages."""
    from ..timeutil import to_japan
    from .passwords import MAX_LENGTH, MIN_LENGTH
    from .roles import can, home_endpoint

    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config["SESSION_MAX_HOURS"]))
    app.before_request(_check_session)

    def staff_home_url() -> str | None:
        if not current_user.is_authenticated:
            return None
        return url_for(home_endpoint(current_user.role))

    app.jinja_env.globals.update(can=can, staff_home_url=staff_home_url, password_min=MIN_LENGTH,
                                 password_max=MAX_LENGTH, to_japan=to_japan)
