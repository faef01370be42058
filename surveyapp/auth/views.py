"""Staff login, logout and the first-run page that creates the first admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from .forms import LoginForm, SetupForm
from .services import AccountError, any_staff_exists, authenticate, create_staff

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("staff.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if not any_staff_exists():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")), 303)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
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
            login_user(user)
            flash(_("管理者アカウントを作成しました。"))
            return redirect(url_for("staff.dashboard"), 303)
    return render_template("auth/setup.html", form=form)
