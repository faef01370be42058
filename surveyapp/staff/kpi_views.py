"""KPI page, printable report, fieldwork progress and planner, population tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..exports.cells import attachment_header
from ..exports.labels import CHANNEL_LABELS
from ..formatting import count
from ..results import (
    BY_CHANNEL,
    KpiDeclaration,
    KpiYearResult,
    UnknownKpi,
    find_declaration,
    kpi_breakdown,
    kpi_year_results,
)
from ..results.breakdowns import Breakdown
from ..results.declarations import kpi_declarations
from ..results.nonresponse import nonresponse_weighted
from ..results.overview import (
    KpiSeries,
    SurveyFacts,
    WeightedIndex,
    kpi_overview,
    survey_facts,
    weighted_index,
)
from ..results.population import (
    EXAMPLE_CSV,
    PopulationCsvError,
    accepted_values,
    parse_population_csv,
    population_tables,
    save_population_table,
)
from ..results.weighted import MIN_CELL_RESPONDENTS
from ..stats import PROPORTION_METHODS
from ..surveys.models import CHANNELS
from ..timeutil import fiscal_year, fiscal_year_label, utcnow
from .charts import trend_chart
from .forms import PopulationForm
from .params import LEVEL_CHOICES, MARGINS, ResultOptions, parse_options
from .views import _survey_or_404, bp, demo_rows

REPORT_KPIS = 4


def _declaration_or_404(key: str, kpi: str) -> KpiDeclaration:
    try:
        return find_declaration(key, kpi)
    except UnknownKpi:
        abort(404)


def _reasons(results: Iterable[KpiYearResult], breakdowns: Iterable[Breakdown] = (),
             weighted: WeightedIndex | None = None) -> list[str]:
    reasons: list[str] = []
    for result in results:
        extra = (weighted or {}).get((result.kpi.survey_key, result.kpi.key, result.fiscal_year))
        for code in [result.suppression_reason if result.suppressed else None,
                     *[o.hidden for o in result.options],
                     extra.suppression_reason if extra is not None and extra.suppressed else None]:
            if code and code not in reasons:
                reasons.append(code)
    for table in breakdowns:
        for code in table.reasons:
            if code not in reasons:
                reasons.append(code)
    return reasons


def _form_choices(declaration: KpiDeclaration) -> dict[str, object]:
    return {"methods": PROPORTION_METHODS, "levels": list(LEVEL_CHOICES), "channels": CHANNELS,
            "groups": declaration.groups, "margins": [f"{m * 100:g}" for m in MARGINS]}


@bp.get("/kpis/<key>/<kpi>")
@permission_required("results.view")
def kpi_detail(key: str, kpi: str) -> ResponseReturnValue:
    declaration = _declaration_or_404(key, kpi)
    groups = {g.key: {o.code for o in g.options} for g in declaration.groups}
    links = _survey_or_404(key).links
    options = parse_options(request.args, groups=groups, links={link.id for link in links})
    status = 400 if options.errors else 200
    if options.errors:
        options = ResultOptions(errors=options.errors)  # show the defaults beside the message
    selection = options.selection
    years = kpi_year_results(declaration, method=options.method, level=options.level,
                             selection=selection)
    year = options.fiscal_year or (years[-1].fiscal_year if years else fiscal_year(utcnow()))
    breakdowns = []
    if any(r.fiscal_year == year for r in years):
        breakdowns.append(kpi_breakdown(declaration, year, BY_CHANNEL, method=options.method,
                                        level=options.level, selection=selection,
                                        channel_labels=_channel_names()))
        for group in declaration.demographics:
            breakdowns.append(kpi_breakdown(declaration, year, group.key, method=options.method,
                                            level=options.level, selection=selection))
    weighted = weighted_index([KpiSeries(declaration, tuple(years))], level=options.level,
                              selection=selection)
    sensitivity = {}
    if any(r.flagged_excluded for r in years):
        sensitivity = {r.fiscal_year: r for r in kpi_year_results(
            declaration, method=options.method, level=options.level,
            selection=replace(selection, include_flagged=True))}
    nonresponse = nonresponse_weighted(declaration, year, level=options.level, selection=selection)
    return render_template(
        "staff/kpi_detail.html", kpi=declaration, years=years, options=options, year=year,
        nonresponse=nonresponse, min_cell=MIN_CELL_RESPONDENTS,
        breakdowns=breakdowns, weighted=weighted, chart=trend_chart(declaration, years),
        year_choices=sorted({r.fiscal_year for r in years} | {year}),
        demo=demo_rows([KpiSeries(declaration, tuple(years))]),
        reasons=_reasons(years, breakdowns, weighted), choices=_form_choices(declaration), links=links,
        sensitivity=sensitivity,
    ), status


def _channel_names() -> dict[str, str]:
    return {code: str(text) for code, text in CHANNEL_LABELS.items()}


@bp.get("/report")
@permission_required("results.view")
def report() -> ResponseReturnValue:
    """A4 printable report: 調査概要, then per KPI the chart, the year table and the verdict;
    the method last. The KPIs (``kpi=survey/kpi``, repeated) and demo data are chosen on the page."""
    options = parse_options(request.args)
    status = 400 if options.errors else 200
    if options.errors:
        options = ResultOptions(errors=options.errors)
    every = kpi_declarations()
    known = {(d.survey_key, d.key) for d in every}
    wanted = {tuple(k.split("/", 1)) for k in request.args.getlist("kpi")}
    keys = {k for k in wanted if k in known} or None
    if wanted and keys is None:
        status = 400
        options.errors["kpi"] = _("選んだKPIが見つかりません。すべてのKPIを表示しています。")
    series = kpi_overview(method=options.method, level=options.level, selection=options.selection,
                          keys=keys)
    charts = {(s.kpi.survey_key, s.kpi.key): trend_chart(s.kpi, s.years) for s in series}
    weighted = weighted_index(series, level=options.level, selection=options.selection)
    reasons = _reasons([r for s in series for r in s.years], weighted=weighted)
    return render_template("staff/report.html", series=series, charts=charts, options=options,
                           reasons=reasons, every=every, chosen=keys or known,
                           facts=_report_facts(series, options), demo=demo_rows(series),
                           weighted=weighted, generated=utcnow()), status


def _report_facts(series: list[KpiSeries], options: ResultOptions) -> list[SurveyFacts]:
    """One 調査概要 row per survey with results, for its latest fiscal year in the report."""
    latest: dict[str, tuple[int, KpiDeclaration]] = {}
    for item in series:
        if item.latest is None:
            continue
        year = item.latest.fiscal_year
        if item.kpi.survey_key not in latest or latest[item.kpi.survey_key][0] < year:
            latest[item.kpi.survey_key] = (year, item.kpi)
    return [survey_facts(kpi, year, options.selection) for year, kpi in latest.values()]


def _accepted() -> dict[str, dict[str, str]]:
    pairs: list[tuple[str, list[tuple[str, str]]]] = []
    for declaration in kpi_declarations():
        for group in declaration.demographics:
            assert group.demographic is not None
            pairs.append((group.demographic, [(o.code, o.label) for o in group.options]))
    return accepted_values(pairs)


@bp.route("/population", methods=["GET", "POST"])
@permission_required("population.manage")
def population() -> ResponseReturnValue:
    form = PopulationForm()
    problems = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            upload = form.file.data
            try:
                parsed = parse_population_csv(upload.read(), _accepted())
            except PopulationCsvError as exc:
                problems = exc.problems
            else:
                save_population_table(form.fiscal_year.data or 0, parsed, source=form.source.data or "",
                                      user_id=current_user.id)
                flash(_("%(year)sの人口表（%(cells)s区分、合計%(total)s人）を保存しました。",
                        year=fiscal_year_label(form.fiscal_year.data or 0), cells=len(parsed.cells),
                        total=count(parsed.total)))
                return redirect(url_for("staff.population"), 303)
    return render_template("staff/population.html", form=form, problems=problems,
                           tables=population_tables()), status


@bp.get("/population/example.csv")
@permission_required("population.manage")
def population_example() -> ResponseReturnValue:
    """The documented example file (illustrative numbers), UTF-8 with BOM."""
    return Response("\ufeff" + EXAMPLE_CSV, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": attachment_header("population-example.csv")})
