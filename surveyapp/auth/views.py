"""Staff login and logout, the first-run page, one's own account and password, and setting a
password with a one-time reset code."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from .forms import LoginForm, PasswordChangeForm, ResetForm, SetupForm
from .passwords import MESSAGES
from .roles import PERMISSIONS, ROLES, home_endpoint, permission_required, role_label, role_may
from .services import (
    AccountError,
    any_staff_exists,
    authenticate,
    change_password,
    create_staff,
    record_logout,
    reset_password,
)
from .sessions import begin_session, end_session, remember_device, trusted_device
from .throttle import Attempt

bp = Blueprint("auth", __name__, url_prefix="/staff")


def home_url() -> str:
    return url_for(home_endpoint(current_user.role))


def _next_url(target: str | None) -> str:
    """Follow ``next`` only to a same-site page this staff member may open; else their home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home_url()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home_url()
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return home_url()
    permission = getattr(current_app.view_functions.get(endpoint), "permission", None)
    if permission is not None and not role_may(current_user.role, permission):
        return home_url()
    return target


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return _("%(n)d秒", n=seconds)
    return _("%(n)d分", n=math.ceil(seconds / 60))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if not any_staff_exists():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    failed, wait, status = False, 0, 200
    if form.validate_on_submit():
        email = form.email.data or ""
        attempt = Attempt.for_request(email, trusted_device(email))
        result = authenticate(email, form.password.data or "", attempt)
        if result.user is not None:
            begin_session(result.user)
            response = redirect(_next_url(request.args.get("next")), 303)
            remember_device(response, email, attempt.device)
            return response
        failed, wait = result.wait_seconds == 0, result.wait_seconds
        status = 429 if wait else 200
    elif request.method == "POST":
        status = 400
    page = render_template("auth/login.html", form=form, failed=failed,
                           wait=_wait_text(wait) if wait else None)
    headers = {"Retry-After": str(wait)} if wait else {}
    return page, status, headers


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        record_logout(current_user._get_current_object())
    end_session()
    flash(_("ログアウトしました。"))
    return redirect(url_for("auth.login"), 303)


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    if any_staff_exists():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = create_staff(form.email.data or "", form.password.data or "", "admin")
        except AccountError:
            form.email.errors.append(_("このメールアドレスでは登録できません。"))
        else:
            begin_session(user)
            flash(_("管理者アカウントを作成しました。"))
            return redirect(url_for("staff.dashboard"), 303)
    return render_template("auth/setup.html", form=form), 400 if form.errors else 200


@bp.get("/account")
@permission_required("own.account")
def account() -> ResponseReturnValue:
    role = current_user.role
    allowed = [p.label for p in PERMISSIONS.values() if role in p.roles]
    return render_template("auth/account.html", role_label=role_label(role),
                           role=ROLES.get(role), allowed=allowed)


@bp.route("/account/password", methods=["GET", "POST"])
@permission_required("own.account")
def password() -> ResponseReturnValue:
    form = PasswordChangeForm(current_user.email)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data or "", form.password.data or "")
        except AccountError as exc:
            if exc.code == "wrong_password":
                form.current.errors = [_("いまのパスワードが正しくありません。")]
            elif exc.code == "same_password":
                form.password.errors = [_("いまと違うパスワードにしてください。")]
            else:
                form.password.errors = [str(MESSAGES.get(exc.code, _("入力を確認してください。")))]
        else:
            begin_session(user)  # this browser stays logged in, with a new session
            flash(_("パスワードを変更しました。ほかの端末やブラウザーのログインは終了しました。"))
            return redirect(home_url(), 303)
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
def reset() -> ResponseReturnValue:
    form = ResetForm()
    status = 200
    if form.validate_on_submit():
        try:
            reset_password(form.code.data or "", form.password.data or "", Attempt.for_reset_code())
        except AccountError as exc:
            if exc.code == "invalid_code":
                form.code.errors = [_("再設定コードが正しくないか、期限が切れています。"
                                      "管理者に新しいコードを頼んでください。")]
            elif exc.code == "throttled":
                form.code.errors = [_("失敗が続いたため、しばらく受け付けません。時間をおいてお試しください。")]
                status = 429
            else:
                form.password.errors = [str(MESSAGES.get(exc.code, _("入力を確認してください。")))]
        else:
            if current_user.is_authenticated:
                end_session()
            flash(_("パスワードを設定しました。新しいパスワードでログインしてください。"))
            return redirect(url_for("auth.login"), 303)
    if form.errors and status == 200:
        status = 400
    return render_template("auth/reset.html", form=form), status
