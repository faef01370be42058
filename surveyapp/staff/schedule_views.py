"""Survey schedule: save the opening/closing times (never closing silently) and close or
reopen a survey as an explicit action with a confirmation page (works without JavaScript)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..formatting import jp_datetime
from ..surveys.schedule import (
    STATE_LABELS,
    ConfirmationNeeded,
    ScheduleChange,
    change_dates,
    change_status,
    planned_status_change,
    survey_state,
)
from ..surveys.services import InvalidSchedule
from ..timeutil import from_japan, utcnow
from .forms import ScheduleForm, StatusForm
from .views import _render_detail, _survey_or_404, bp, link_form


def _moment(value: datetime | None) -> str:
    return jp_datetime(value) if value is not None else _("指定なし")


def change_lines(change: ScheduleChange) -> list[str]:
    """What changed, each as 「項目：前 → 後」 (the state is always stated)."""
    lines = []
    if change.state_changed:
        lines.append(_("受付の状態：%(before)s → %(after)s", before=STATE_LABELS[change.before],
                       after=STATE_LABELS[change.after]))
    else:
        lines.append(_("受付の状態：%(state)s（変わりません）", state=STATE_LABELS[change.after]))
    if change.opens_changed:
        lines.append(_("受付開始日時：%(before)s → %(after)s", before=_moment(change.opens_before),
                       after=_moment(change.opens_after)))
    if change.closes_changed:
        lines.append(_("受付終了日時：%(before)s → %(after)s", before=_moment(change.closes_before),
                       after=_moment(change.closes_after)))
    return lines


def _utc(value: datetime | None) -> datetime | None:
    return from_japan(value) if value is not None else None


@bp.post("/surveys/<key>/schedule")
@permission_required("surveys.manage")
def survey_schedule(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            change = change_dates(survey, opens_at=_utc(form.opens_at.data),
                                  closes_at=_utc(form.closes_at.data), now=utcnow(),
                                  confirmed_state=form.confirm_state.data or None,
                                  user_id=current_user.id)
        except InvalidSchedule:
            form.closes_at.errors = [_("受付終了日時は受付開始日時より後にしてください。")]
        except ConfirmationNeeded as pending:
            return _render_detail(survey, form, link_form(survey, formdata=None), 200, pending.change)
        else:
            if change.anything:
                flash(_("受付期間を保存しました。") + "　" + _("／").join(change_lines(change)))
            else:
                flash(_("受付期間は変わっていません（保存する内容がありませんでした）。"))
            return redirect(url_for("staff.survey_detail", key=key), 303)
    return _render_detail(survey, form, link_form(survey, formdata=None), 400)


@bp.route("/surveys/<key>/status", methods=["GET", "POST"])
@permission_required("surveys.manage")
def survey_status(key: str) -> ResponseReturnValue:
    """GET: the confirmation page for closing or opening now; POST (confirmed): do it."""
    survey = _survey_or_404(key)
    to = (request.form.get("to") if request.method == "POST" else request.args.get("to")) or ""
    if to not in ("open", "closed") or survey.current_version is None:
        abort(400)
    if to == "open" and survey.archived:
        flash(_("アーカイブ中のアンケートは受付を始められません。先にアーカイブから戻してください。"))
        return redirect(url_for("staff.survey_detail", key=key), 303)
    now = utcnow()
    form = StatusForm(formdata=None, to=to, confirm="yes")
    if request.method == "POST":
        form = StatusForm()
        if form.validate_on_submit():
            change = change_status(survey, to, now=now, user_id=current_user.id)
            if change.anything:
                verb = _("受付を終了しました。") if to == "closed" else _("受付を開始しました。")
                flash(verb + "　" + _("／").join(change_lines(change)))
            else:
                flash(_("受付の状態は変わっていません（すでに%(state)sです）。",
                        state=STATE_LABELS[change.after]))
            return redirect(url_for("staff.survey_detail", key=key), 303)
    plan = planned_status_change(survey, to, now)
    title = survey.current_version.title
    return render_template("staff/survey_status.html", survey=survey, title=title, to=to,
                           form=form, plan=plan, lines=change_lines(plan),
                           state=survey_state(survey, now))
