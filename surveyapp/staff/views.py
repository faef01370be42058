"""Staff pages: KPI dashboard, downloads, survey schedule and links."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import record
from ..auth.roles import ALL_STAFF, roles_required
from ..exports.cells import attachment_header, csv_stream
from ..extensions import db
from ..results import kpi_declarations, kpi_year_results
from ..results.raw import FIXED_HEADER, raw_columns, raw_rows
from ..surveys.models import Survey
from ..surveys.services import (
    InvalidLink,
    InvalidSchedule,
    UnknownSurvey,
    create_link,
    get_survey,
    list_surveys,
    set_schedule,
    version_definition,
)
from ..timeutil import fiscal_year_label, from_japan, to_japan, utcnow, wareki_fiscal_year
from .forms import CHANNEL_LABELS, LinkForm, ScheduleForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

ANALYSTS = ("analyst",)


def _kpi_rows() -> list[dict[str, object]]:
    rows = []
    for declaration in kpi_declarations():
        results = kpi_year_results(declaration)
        rows.append({"kpi": declaration, "years": results})
    return rows


@bp.get("/")
@roles_required(*ALL_STAFF)
def dashboard() -> ResponseReturnValue:
    return render_template("staff/dashboard.html", rows=_kpi_rows(),
                           fiscal_year_label=fiscal_year_label)


KPI_CSV_HEADER = [
    "survey", "kpi", "title", "fiscal_year_wareki", "fiscal_year", "responses", "no_answer",
    "excluded", "n", "successes", "estimate", "ci_low", "ci_high", "ci_method", "ci_level",
    "baseline", "baseline_fiscal_year", "target", "target_fiscal_year", "direction",
]


@bp.get("/downloads/kpis.csv")
@roles_required(*ANALYSTS)
def kpis_csv() -> ResponseReturnValue:
    lines = []
    for row in _kpi_rows():
        for result in row["years"]:  # type: ignore[attr-defined]
            kpi = result.kpi
            lines.append([
                kpi.survey_key, kpi.key, kpi.title, wareki_fiscal_year(result.fiscal_year),
                result.fiscal_year, result.responses, result.no_answer, result.excluded,
                result.base_n, result.successes, result.estimate, result.low, result.high,
                result.method, result.level, kpi.baseline_value, kpi.baseline_fiscal_year,
                kpi.target_value, kpi.target_fiscal_year, kpi.direction,
            ])
    record(current_user.id, "download.kpis_csv", "all", rows=len(lines))
    db.session.commit()
    body = "".join(csv_stream(KPI_CSV_HEADER, lines))
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": attachment_header(f"KPI集計_{to_japan(utcnow()):%Y%m%d}.csv"),
        "Cache-Control": "no-store",
    })


@bp.get("/surveys/<key>/responses.csv")
@roles_required(*ANALYSTS)
def responses_csv(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    version = survey.current_version
    if version is None:
        abort(404)
    columns = raw_columns(version_definition(version))
    record(current_user.id, "download.responses_csv", survey.key)
    db.session.commit()
    header = FIXED_HEADER + [c.header for c in columns]
    stream = csv_stream(header, raw_rows(survey, columns))
    return Response(stream_with_context(s.encode("utf-8") for s in stream), mimetype="text/csv",
                    headers={
                        "Content-Disposition": attachment_header(
                            f"回答データ_{survey.key}_{to_japan(utcnow()):%Y%m%d}.csv"),
                        "Cache-Control": "no-store",
                    })


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
