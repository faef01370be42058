"""Administration pages: staff accounts (list, create, role, deactivate, reset codes) and the
audit log viewer with its CSV download."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..audit import AuditFilter, action_label, audit_actions, audit_header, audit_page, audit_people, audit_rows
from ..auth.forms import AccountCreateForm, RoleForm
from ..auth.models import StaffUser
from ..auth.roles import PERMISSIONS, ROLES, permission_required, role_label
from ..auth.services import (
    AccountError,
    ResetCode,
    change_role,
    get_account,
    invite_staff,
    issue_reset,
    list_accounts,
    require_password_change,
    set_active,
    unlock,
)
from ..exports.cells import attachment_header, encoded_csv
from ..staff.services import log_download
from ..timeutil import to_japan, utcnow

bp = Blueprint("admin", __name__, url_prefix="/staff")

ACCOUNT_ERRORS = {
    "invalid_email": _l("メールアドレスの形式が正しくありません。"),
    "email_taken": _l("このメールアドレスのアカウントはすでにあります。"),
    "invalid_role": _l("役割を選んでください。"),
    "last_admin": _l("有効な管理者がこのアカウントだけのため、できません。先に別の管理者を作成してください。"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@bp.app_template_global()
def staff_role_label(role: str) -> str:
    return role_label(role)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _account_or_404(user_id: int) -> StaffUser:
    user = get_account(user_id)
    if user is None:
        abort(404)
    return user


def _message(code: str) -> str:
    return str(ACCOUNT_ERRORS.get(code, _l("入力を確認してください。")))


def _csrf_or_400() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


# --------------------------------------------------------------------------- accounts


@bp.get("/accounts")
@permission_required("accounts.manage")
def accounts() -> ResponseReturnValue:
    return _render_accounts(AccountCreateForm(formdata=None))


def _render_accounts(form: AccountCreateForm, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/accounts.html", accounts=list_accounts(), form=form, now=utcnow(),
                           to_japan=to_japan, roles=ROLES, permissions=PERMISSIONS), status


@bp.post("/accounts")
@permission_required("accounts.manage")
def account_create() -> ResponseReturnValue:
    form = AccountCreateForm()
    if form.validate_on_submit():
        try:
            reset = invite_staff(form.email.data or "", form.role.data or "", by=current_user.id)
        except AccountError as exc:
            form.email.errors = [_message(exc.code)]
        else:
            return _render_code(reset, created=True)
    return _render_accounts(form, 400)


def _render_code(reset: ResetCode, *, created: bool) -> ResponseReturnValue:
    """The one-time code is on this response only; it is stored as a digest."""
    return render_template("admin/reset_code.html", reset=reset, created=created, to_japan=to_japan,
                           reset_url=request.host_url.rstrip("/") + url_for("auth.reset"))


@bp.get("/accounts/<int:user_id>")
@permission_required("accounts.manage")
def account_detail(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    return _render_detail(user, RoleForm(formdata=None, role=user.role))


def _render_detail(user: StaffUser, form: RoleForm, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/account.html", account=user, form=form, now=utcnow(),
                           to_japan=to_japan), status


@bp.post("/accounts/<int:user_id>/role")
@permission_required("accounts.manage")
def account_role(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            change_role(user, form.role.data or "", by=current_user.id)
        except AccountError as exc:
            form.role.errors = [_message(exc.code)]
        else:
            flash(_("%(email)s の役割を「%(role)s」にしました。そのアカウントのログインは終了しました。",
                    email=user.email, role=role_label(user.role)))
            return redirect(url_for("admin.account_detail", user_id=user.id), 303)
    return _render_detail(user, form, 400)


@bp.post("/accounts/<int:user_id>/active")
@permission_required("accounts.manage")
def account_active(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    _csrf_or_400()
    active = request.form.get("active") == "1"
    try:
        set_active(user, active, by=current_user.id)
    except AccountError as exc:
        flash(_message(exc.code))
    else:
        flash(_("%(email)s を再開しました。", email=user.email) if active else
              _("%(email)s を停止しました。そのアカウントのログインは終了しました。", email=user.email))
    return redirect(url_for("admin.account_detail", user_id=user.id), 303)


@bp.post("/accounts/<int:user_id>/reset")
@permission_required("accounts.manage")
def account_reset(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    _csrf_or_400()
    return _render_code(issue_reset(user, by=current_user.id), created=False)


@bp.post("/accounts/<int:user_id>/must-change")
@permission_required("accounts.manage")
def account_must_change(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    _csrf_or_400()
    require_password_change(user, by=current_user.id)
    flash(_("%(email)s は、次のログインのあとにパスワードを変更します。", email=user.email))
    return redirect(url_for("admin.account_detail", user_id=user.id), 303)


@bp.post("/accounts/<int:user_id>/unlock")
@permission_required("accounts.manage")
def account_unlock(user_id: int) -> ResponseReturnValue:
    user = _account_or_404(user_id)
    _csrf_or_400()
    count = unlock(user.email, by=current_user.id)
    flash(_("%(email)s のログイン失敗の記録（%(n)d件）を消しました。すぐにログインを試せます。",
            email=user.email, n=count))
    return redirect(url_for("admin.account_detail", user_id=user.id), 303)


# --------------------------------------------------------------------------- audit log


def _audit_filter() -> tuple[AuditFilter, int, dict[str, str], dict[str, Any]]:
    """The filter from the query string, with a message per bad parameter (then ignored)."""
    args = request.args
    errors: dict[str, str] = {}
    query: dict[str, Any] = {}
    user_id: int | None = None
    person = args.get("person", "").strip()
    if person == "none":
        user_id = 0
    elif person:
        if person.isdigit() and len(person) <= 9:
            user_id = int(person)
        else:
            errors["person"] = _("職員の指定が正しくありません。")
    action = args.get("action", "").strip() or None
    if action is not None and (len(action) > 64 or not re.fullmatch(r"[a-z0-9_.]+", action)):
        errors["action"] = _("操作の指定が正しくありません。")
        action = None
    dates: dict[str, date | None] = {"from": None, "to": None}
    for name in dates:
        raw = args.get(name, "").strip()
        if not raw:
            continue
        try:
            if not _DATE.match(raw):
                raise ValueError(raw)
            dates[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("日付は 2026-04-01 の形で入力してください。")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = _("終わりの日付は始まりの日付以降にしてください。")
        dates["to"] = None
    page_raw = args.get("page", "1").strip()
    page = int(page_raw) if page_raw.isdigit() and len(page_raw) <= 6 and int(page_raw) >= 1 else 1
    if page_raw != str(page) and page_raw:
        errors["page"] = _("ページ番号は1以上の整数で指定してください。")
    selection = AuditFilter(user_id=None if "person" in errors else user_id, action=action,
                            date_from=dates["from"], date_to=dates["to"])
    for key, value in (("person", person if "person" not in errors else ""), ("action", action or ""),
                       ("from", args.get("from", "") if "from" not in errors else ""),
                       ("to", args.get("to", "") if "to" not in errors else "")):
        if value:
            query[key] = value.strip()
    return selection, page, errors, query


@bp.get("/audit")
@permission_required("audit.view")
def audit() -> ResponseReturnValue:
    selection, page, errors, query = _audit_filter()
    result = audit_page(selection, page)
    actions = [(code, action_label(code)) for code in audit_actions()]
    return render_template("admin/audit.html", page=result, errors=errors, query=query,
                           people=audit_people(), actions=actions), 400 if errors else 200


@bp.get("/audit.csv")
@permission_required("audit.view")
def audit_csv() -> ResponseReturnValue:
    selection, _page, errors, query = _audit_filter()
    if errors:
        abort(400, description="; ".join(errors.values()))
    log_download(current_user.id, "download.audit_csv", "audit", filter=query)
    filename = _("操作記録_%(date)s.csv", date=f"{to_japan(utcnow()):%Y%m%d}")
    return Response(stream_with_context(encoded_csv(audit_header(), audit_rows(selection), "utf-8")),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment_header(filename), "Cache-Control": "no-store"})
