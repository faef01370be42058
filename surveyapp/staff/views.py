"""Staff pages: KPI dashboard, survey schedule and links (results, downloads and comments live
in ``kpi_views``, ``download_views`` and ``comment_views``, on the same blueprint)."""

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

from .. import formatting
from ..auth.roles import permission_required
from ..demo import count_demo_responses
from ..exports.labels import (
    ASSESSMENT_LABELS,
    AUDIENCE_LABELS,
    CHANNEL_LABELS,
    DIRECTION_LABELS,
    METHOD_LABELS,
    NR_METHOD_LABELS,
    SCHEME_LABELS,
    SUPPRESSION_LABELS,
    VERDICT_LABELS,
    WEIGHTED_METHOD_LABELS,
    comparability_reason,
)
from ..i18n import LANGUAGE_NAMES
from ..links.urls import base_url_configured, public_url
from ..results.demo import DemoStatus, demo_status
from ..results.overview import KpiSeries, kpi_overview
from ..surveys.models import Survey
from ..surveys.schedule import STATE_LABELS, STATE_NOTES, ScheduleChange, survey_state
from ..surveys.services import (
    InvalidLink,
    UnknownSurvey,
    create_link,
    get_survey,
    link_languages,
    list_surveys,
)
from ..timeutil import fiscal_year_label, to_japan, utcnow, wareki_fiscal_year
from .forms import LinkForm, ScheduleForm
from .params import ResultOptions, parse_options
from .sparkline import sparkline

bp = Blueprint("staff", __name__, url_prefix="/staff")

LABELS = {
    "assessment": ASSESSMENT_LABELS, "audience": AUDIENCE_LABELS, "channel": CHANNEL_LABELS,
    "direction": DIRECTION_LABELS,
    "method": METHOD_LABELS, "nr_method": NR_METHOD_LABELS, "scheme": SCHEME_LABELS, "state": STATE_LABELS,
    "state_note": STATE_NOTES,
    "suppression": SUPPRESSION_LABELS, "verdict": VERDICT_LABELS, "weighted_method": WEIGHTED_METHOD_LABELS,
}


@bp.context_processor
def _results_globals() -> dict[str, Any]:
    return {"labels": LABELS, "fiscal_year_label": fiscal_year_label, "to_japan": to_japan,
            "fy_inline": _fy_inline, "fy_short": wareki_fiscal_year, "fmt": formatting,
            "comparability_text": comparability_reason}


@bp.app_template_global()
def allowed(endpoint: str) -> bool:
    """Whether the signed-in staff member may open this endpoint (its own role check decides)."""
    roles: frozenset[str] = getattr(current_app.view_functions.get(endpoint), "allowed_roles", frozenset())
    return bool(current_user.is_authenticated and current_user.role in roles)


def _fy_inline(year: int) -> str:
    """「令和7年度・2025年度」 for use inside parentheses."""
    return _("%(era_year)s・%(year)s年度", era_year=wareki_fiscal_year(year), year=year)


@bp.get("/")
@permission_required("results.view")
def dashboard() -> ResponseReturnValue:
    options = parse_options(request.args)
    status = 400 if options.errors else 200
    if options.errors:
        options = ResultOptions(errors=options.errors)
    series = kpi_overview(method=options.method, level=options.level, selection=options.selection)
    reasons = sorted({item.latest.suppression_reason for item in series
                      if item.latest is not None and item.latest.suppressed
                      and item.latest.suppression_reason})
    sparks = {(item.kpi.survey_key, item.kpi.key): sparkline(item.kpi, item.years) for item in series}
    return render_template("staff/dashboard.html", series=series, reasons=reasons, sparks=sparks,
                           options=options, demo=demo_rows(series)), status


def demo_rows(series: list[KpiSeries]) -> list[tuple[str, DemoStatus]]:
    """(survey title, demo status) of the surveys behind these KPIs that have demo data."""
    titles = {item.kpi.survey_key: item.kpi.survey_title for item in series}
    return [(titles[key], state) for key, state in sorted(demo_status().items())
            if key in titles and state.demo]


def _survey_or_404(key: str) -> Survey:
    try:
        return get_survey(key)
    except UnknownSurvey:
        abort(404)


@bp.get("/surveys")
@permission_required("surveys.edit")
def surveys() -> ResponseReturnValue:
    archived = request.args.get("archived") == "1"
    now = utcnow()
    return render_template("staff/surveys.html", archived=archived,
                           surveys=[(s, survey_state(s, now)) for s in list_surveys(archived=archived)])


@bp.get("/surveys/<key>")
@permission_required("surveys.manage")
def survey_detail(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    return _render_detail(survey, current_schedule_form(survey), link_form(survey))


def current_schedule_form(survey: Survey) -> ScheduleForm:
    """The schedule form filled with the survey's current times (Japan time)."""
    return ScheduleForm(
        formdata=None,
        opens_at=to_japan(survey.opens_at).replace(tzinfo=None) if survey.opens_at else None,
        closes_at=to_japan(survey.closes_at).replace(tzinfo=None) if survey.closes_at else None,
    )


def link_form(survey: Survey, **kwargs: Any) -> LinkForm:
    """The new-link form offering the languages this survey is offered in."""
    return LinkForm(**kwargs).offer_languages(link_languages(survey))


def _render_detail(survey: Survey, schedule: ScheduleForm, new_link: LinkForm,
                   status: int = 200, pending: ScheduleChange | None = None) -> ResponseReturnValue:
    links = [{"link": link, "url": public_url(link),
              "channel": CHANNEL_LABELS.get(link.channel, link.channel),
              "language": LANGUAGE_NAMES.get(link.default_language or "")}
             for link in survey.links]
    now = utcnow()
    return render_template("staff/survey_detail.html", survey=survey, schedule=schedule,
                           link_form=new_link, links=links, now=now,
                           state=survey_state(survey, now), pending=pending,
                           demo=count_demo_responses(survey), to_japan=to_japan,
                           base_url_configured=base_url_configured()), status


@bp.post("/surveys/<key>/links")
@permission_required("surveys.manage")
def survey_links(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = link_form(survey)
    if form.validate_on_submit():
        try:
            link = create_link(survey, label=form.label.data or "", channel=form.channel.data or "",
                               default_language=form.default_language.data or None,
                               user_id=current_user.id)
        except InvalidLink:
            form.label.errors = [_("リンクを作成できませんでした。入力を確認してください。")]
        else:
            flash(_("リンク「%(label)s」を作成しました。", label=link.label))
            return redirect(url_for("staff.survey_detail", key=key), 303)
    return _render_detail(survey, current_schedule_form(survey), form, 400)


from . import (  # noqa: E402,F401  (routes on this blueprint)
    comment_views,
    demo_views,
    download_views,
    downloads_page,
    editor_views,
    fieldwork_views,
    flag_views,
    kpi_views,
    preview_views,
    publish_views,
    question_views,
    schedule_views,
)
