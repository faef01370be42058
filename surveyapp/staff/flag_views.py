"""Review of flagged responses: why each was flagged; clear a flag (or put it back), audited."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.roles import permission_required
from ..results.flagged import STATES, flagged_page
from ..screening.services import UnknownResponse, set_flag
from ..surveys.services import list_surveys
from .views import bp


def _window(seconds: int) -> str:
    if seconds % 86400 == 0:
        return _("%(n)s日", n=seconds // 86400)
    if seconds % 3600 == 0:
        return _("%(n)s時間", n=seconds // 3600)
    if seconds % 60 == 0:
        return _("%(n)s分", n=seconds // 60)
    return _("%(n)s秒", n=seconds)


def reason_text(reason: dict[str, Any]) -> str:
    """One flag reason in words, with what it was measured against."""
    code = reason.get("code")
    if code == "honeypot":
        return _("人には見えない入力欄に入力があった（自動送信の疑い）")
    if code == "fast":
        return _("%(q)s問に%(s)s秒未満で回答した（速すぎる）", q=reason.get("questions", "?"),
                 s=f"{reason.get('limit_seconds', 0):g}")
    if code == "session":
        return _("同じブラウザから%(n)s件目の回答（%(max)s件まで）", n=reason.get("count", "?"),
                 max=reason.get("max", "?"))
    if code == "burst":
        return _("短時間に同じ送信元から%(n)s件目の回答（%(window)sに%(max)s件まで）",
                 n=reason.get("count", "?"), max=reason.get("max", "?"),
                 window=_window(int(reason.get("window_seconds", 0))))
    return str(code)


def _filters() -> tuple[str, str | None, int, dict[str, Any]]:
    state = request.args.get("state", "flagged")
    state = state if state in STATES else "flagged"
    keys = {survey.key for survey in list_surveys()}
    survey = request.args.get("survey") or None
    survey = survey if survey in keys else None
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 1
    query = {k: v for k, v in {"state": state if state != "flagged" else None,
                               "survey": survey}.items() if v}
    return state, survey, page, query


@bp.get("/flags")
@permission_required("flags.review")
def flags() -> ResponseReturnValue:
    state, survey, page, query = _filters()
    result = flagged_page(state=state, survey_key=survey, page=page)
    return render_template("staff/flags.html", page=result, state=state, survey=survey,
                           surveys=list_surveys(), query=query, reason_text=reason_text,
                           form=FlaskForm())


def _change(response_id: int, flagged: bool) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        set_flag(response_id, flagged=flagged, user_id=current_user.id)
    except UnknownResponse:
        abort(404)
    if flagged:
        flash(_("回答 %(id)s を要確認に戻しました。集計から除外されます。", id=response_id))
    else:
        flash(_("回答 %(id)s の要確認を解除しました。集計に含まれます。", id=response_id))
    state, survey, page, query = _filters()
    return redirect(url_for("staff.flags", page=page if page > 1 else None, **query), 303)


@bp.post("/flags/<int:response_id>/clear")
@permission_required("flags.review")
def flag_clear(response_id: int) -> ResponseReturnValue:
    return _change(response_id, False)


@bp.post("/flags/<int:response_id>/restore")
@permission_required("flags.review")
def flag_restore(response_id: int) -> ResponseReturnValue:
    return _change(response_id, True)
