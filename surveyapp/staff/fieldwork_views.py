"""Fieldwork progress: the goal and what is missing first, a cumulative chart, weekly totals,
the precision planner, and the daily counts folded away and downloadable (audited)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..exports.cells import Cell
from ..exports.response_rates import RATE_NOTES
from ..exports.xlsx import Sheet
from ..results.demo import demo_status
from ..results.fieldwork import Fieldwork, fieldwork
from ..results.overview import fiscal_years
from ..surveys.models import Survey
from ..surveys.schedule import survey_state
from ..timeutil import fiscal_year, to_japan, utcnow, wareki_fiscal_year
from .download_views import _csv_response, _encoding_or_400, _options_or_400, _today, _xlsx_response
from .params import MARGINS, ResultOptions, parse_options
from .progress_chart import progress_chart
from .services import log_download
from .views import _survey_or_404, bp


def _daily_header() -> list[str]:
    return [_("日付"), _("年度（和暦）"), _("西暦年度"), _("回答数"), _("累計")]


def _progress(survey: Survey, options: ResultOptions) -> tuple[int, Fieldwork]:
    year = options.fiscal_year or fiscal_year(utcnow())
    return year, fieldwork(survey, year, margin=options.margin, selection=options.selection)


@bp.get("/surveys/<key>/fieldwork")
@permission_required("results.view")
def survey_fieldwork(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    options = parse_options(request.args)
    status = 400 if options.errors else 200
    if options.errors:
        options = ResultOptions(errors=options.errors)
    year, progress = _progress(survey, options)
    title = survey.current_version.title if survey.current_version else survey.key
    # The chart's goal line: the responses the first KPI needs for the chosen margin.
    plan = progress.plans[0] if progress.plans else None
    chart = progress_chart(progress.daily, year, to_japan(utcnow()).date(),
                           plan.responses_goal if plan else None,
                           _("±%(margin)sポイントに必要な回答数", margin=f"{options.margin * 100:g}"))
    return render_template("staff/fieldwork.html", survey=survey, title=title, progress=progress,
                           options=options, year=year, state=survey_state(survey, utcnow()),
                           chart=chart, year_choices=sorted(set(fiscal_years(survey.id)) | {year}),
                           demo=[(title, state) for key, state in demo_status().items()
                                 if key == survey.key and state.demo],
                           margins=[f"{m * 100:g}" for m in MARGINS], rate_notes=RATE_NOTES), status


def _daily_rows(progress: Fieldwork) -> list[list[Cell]]:
    label = wareki_fiscal_year(progress.fiscal_year)
    return [[row.day.isoformat(), label, progress.fiscal_year, row.responses, row.cumulative]
            for row in progress.daily]


def _daily_filename(survey: Survey, year: int, ext: str) -> str:
    return _("日別回答数_%(survey)s_%(year)s年度_%(date)s.%(ext)s",
             survey=survey.key, year=year, date=_today(), ext=ext)


def _daily(key: str) -> tuple[Survey, int, Fieldwork, dict[str, Any]]:
    survey = _survey_or_404(key)
    options = _options_or_400()
    year, progress = _progress(survey, options)
    return survey, year, progress, {"fiscal_year": year, "filter": options.selection.as_dict()}


@bp.get("/surveys/<key>/fieldwork/daily.csv")
@permission_required("results.download")
def fieldwork_daily_csv(key: str) -> ResponseReturnValue:
    survey, year, progress, detail = _daily(key)
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.fieldwork_csv", survey.key, encoding=encoding, **detail)
    return _csv_response(_daily_header(), _daily_rows(progress),
                         _daily_filename(survey, year, "csv"), encoding)


@bp.get("/surveys/<key>/fieldwork/daily.xlsx")
@permission_required("results.download")
def fieldwork_daily_xlsx(key: str) -> ResponseReturnValue:
    survey, year, progress, detail = _daily(key)
    log_download(current_user.id, "download.fieldwork_xlsx", survey.key, **detail)
    return _xlsx_response([Sheet(_("日別回答数"), _daily_header(), _daily_rows(progress), widths={0: 14, 1: 14})],
                          _daily_filename(survey, year, "xlsx"))
