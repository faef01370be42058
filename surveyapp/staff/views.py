"""Staff pages: KPI dashboard, survey schedule and links (results and downloads live in
``kpi_views`` and ``download_views``, on the same blueprint)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import ALL_STAFF, roles_required
from ..exports.labels import (
    ASSESSMENT_LABELS,
    CHANNEL_LABELS,
    DIRECTION_LABELS,
    METHOD_LABELS,
    NR_METHOD_LABELS,
    SCHEME_LABELS,
    SUPPRESSION_LABELS,
    VERDICT_LABELS,
    WEIGHTED_METHOD_LABELS,
)
from ..results.overview import kpi_overview
from ..surveys.models import Survey
from ..surveys.services import (
    InvalidLink,
    InvalidSchedule,
    UnknownSurvey,
    create_link,
    get_survey,
    list_surveys,
    set_schedule,
)
from ..timeutil import fiscal_year_label, from_japan, to_japan, utcnow, wareki_fiscal_year
from .forms import LinkForm, ScheduleForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

ANALYSTS = ("analyst",)
LABELS = {
    "assessment": ASSESSMENT_LABELS, "channel": CHANNEL_LABELS, "direction": DIRECTION_LABELS,
    "method": METHOD_LABELS, "nr_method": NR_METHOD_LABELS, "scheme": SCHEME_LABELS, "suppression": SUPPRESSION_LABELS,
    "verdict": VERDICT_LABELS, "weighted_method": WEIGHTED_METHOD_LABELS,
}


@bp.context_processor
def _results_globals() -> dict[str, Any]:
    return {"labels": LABELS, "fiscal_year_label": fiscal_year_label, "to_japan": to_japan,
            "fy_inline": _fy_inline}


def _fy_inline(year: int) -> str:
    """「令和7年度・2025年度」 for use inside parentheses."""
    return f"{wareki_fiscal_year(year)}・{year}年度"


@bp.get("/")
@roles_required(*ALL_STAFF)
def dashboard() -> ResponseReturnValue:
    series = kpi_overview()
    reasons = sorted({item.latest.suppression_reason for item in series
                      if item.latest is not None and item.latest.suppression_reason})
    return render_template("staff/dashboard.html", series=series, reasons=reasons)


def _survey_or_404(key: str) -> Survey:
    try:
        return get_survey(key)
    except UnknownSurvey:
        abort(404)


@bp.get("/surveys")
@roles_required("admin")
def surveys() -> ResponseReturnValue:
    return render_template("staff/surveys.html", surveys=list_surveys(), now=utcnow())


@bp.get("/surveys/<key>")
@roles_required("admin")
def survey_detail(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    schedule = ScheduleForm(
        status="closed" if survey.status == "open" else "open",
        opens_at=to_japan(survey.opens_at).replace(tzinfo=None) if survey.opens_at else None,
        closes_at=to_japan(survey.closes_at).replace(tzinfo=None) if survey.closes_at else None,
    )
    return _render_detail(survey, schedule, LinkForm())


def _render_detail(survey: Survey, schedule: ScheduleForm, link_form: LinkForm,
                   status: int = 200) -> ResponseReturnValue:
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    links = [{"link": link, "url": base + url_for("respond.start_page", code=link.code),
              "channel": CHANNEL_LABELS.get(link.channel, link.channel)} for link in survey.links]
    return render_template("staff/survey_detail.html", survey=survey, schedule=schedule,
                           link_form=link_form, links=links, now=utcnow(),
                           to_japan=to_japan), status


@bp.post("/surveys/<key>/schedule")
@roles_required("admin")
def survey_schedule(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            set_schedule(
                survey, status=form.status.data or "closed",
                opens_at=from_japan(form.opens_at.data) if form.opens_at.data else None,
                closes_at=from_japan(form.closes_at.data) if form.closes_at.data else None,
                user_id=current_user.id,
            )
        except InvalidSchedule:
            form.closes_at.errors = [_("受付終了は受付開始より後にしてください。")]
        else:
            flash(_("受付の設定を保存しました。"))
            return redirect(url_for("staff.survey_detail", key=key), 303)
    return _render_detail(survey, form, LinkForm(formdata=None), 400)


@bp.post("/surveys/<key>/links")
@roles_required("admin")
def survey_links(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            link = create_link(survey, label=form.label.data or "", channel=form.channel.data or "",
                               default_language=form.default_language.data or "ja",
                               user_id=current_user.id)
        except InvalidLink:
            form.label.errors = [_("リンクを作成できませんでした。入力を確認してください。")]
        else:
            flash(_("リンク「%(label)s」を作成しました。", label=link.label))
            return redirect(url_for("staff.survey_detail", key=key), 303)
    return _render_detail(survey, ScheduleForm(formdata=None), form, 400)


from . import download_views, kpi_views  # noqa: E402,F401  (routes on this blueprint)
