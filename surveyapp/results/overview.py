"""All KPIs at once, for the dashboard, the report, the KPI downloads and open data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from ..extensions import db
from ..respond.models import Response
from ..surveys.models import Survey
from ..surveys.services import version_definition
from . import counted
from .declarations import KpiDeclaration, kpi_declarations
from .filters import ALL_RESPONSES, ResultFilter, response_conditions
from .kpis import DEFAULT_LEVEL, DEFAULT_METHOD, KpiYearResult, kpi_year_results
from .population import population_tables
from .weighted import WeightedResult, weighted_kpi

WeightedIndex = dict[tuple[str, str, int], WeightedResult]


@dataclass(frozen=True)
class KpiSeries:
    """One KPI with its result for every fiscal year that has responses (oldest first)."""

    kpi: KpiDeclaration
    years: tuple[KpiYearResult, ...]

    @property
    def latest(self) -> KpiYearResult | None:
        return self.years[-1] if self.years else None


def kpi_overview(*, method: str = DEFAULT_METHOD, level: float = DEFAULT_LEVEL,
                 selection: ResultFilter = ALL_RESPONSES, public_only: bool = False,
                 keys: set[tuple[str, str]] | None = None) -> list[KpiSeries]:
    """Every KPI (optionally only public surveys, or only the given (survey, kpi) keys)."""
    series = []
    for declaration in kpi_declarations(public_only=public_only):
        if keys is not None and (declaration.survey_key, declaration.key) not in keys:
            continue
        years = kpi_year_results(declaration, method=method, level=level, selection=selection)
        series.append(KpiSeries(declaration, tuple(years)))
    return series


def flat_results(series: list[KpiSeries]) -> list[KpiYearResult]:
    return [result for item in series for result in item.years]


def weighted_index(series: list[KpiSeries], *, level: float = DEFAULT_LEVEL,
                   selection: ResultFilter = ALL_RESPONSES) -> WeightedIndex:
    """Weighted results for every KPI-year that has a population table (others are absent).

    A result whose ``problem`` is set could not be weighted (e.g. an empty population cell);
    surveys without age band and gender questions are left out altogether.
    """
    years_with_tables = {table.fiscal_year for table in population_tables()}
    index: WeightedIndex = {}
    for item in series:
        for result in item.years:
            if result.fiscal_year not in years_with_tables:
                continue
            weighted = weighted_kpi(item.kpi, result.fiscal_year, level=level, selection=selection)
            if weighted.problem != "no_demographics":
                index[(item.kpi.survey_key, item.kpi.key, result.fiscal_year)] = weighted
    return index


def fiscal_years(survey_id: int) -> list[int]:
    """The fiscal years in which a survey has responses (oldest first), for year choosers."""
    if counted.enabled():
        return counted.fiscal_years(survey_id)
    return list(db.session.scalars(db.select(Response.fiscal_year).where(
        Response.survey_id == survey_id).distinct().order_by(Response.fiscal_year)))


@dataclass(frozen=True)
class SurveyFacts:
    """What the report's 調査概要 says about one survey in one fiscal year."""

    survey_key: str
    title: str
    fiscal_year: int
    responses: int
    first: datetime | None  # first and last submission (UTC)
    last: datetime | None
    by_channel: tuple[tuple[str, int], ...]  # most responses first
    audience: str
    population: str  # 調査対象 from the definition ("" when not given)
    population_size: int | None  # N declared by a KPI (finite population)
    department: str


def survey_facts(kpi: KpiDeclaration, fiscal_year: int,
                 selection: ResultFilter = ALL_RESPONSES) -> SurveyFacts:
    """Period, responses and channels of the survey behind a KPI in a fiscal year (one query)."""
    survey = db.session.scalar(db.select(Survey).where(Survey.key == kpi.survey_key))
    if survey is None or survey.current_version is None:
        raise LookupError(kpi.survey_key)
    defn = version_definition(survey.current_version)
    conditions = response_conditions(survey.id, selection) + [Response.fiscal_year == fiscal_year]
    rows = db.session.execute(
        db.select(Response.channel, func.count(), func.min(Response.submitted_at),
                  func.max(Response.submitted_at))
        .where(*conditions).group_by(Response.channel)).all()
    by_channel = tuple(sorted(((channel, count) for channel, count, _f, _l in rows),
                              key=lambda item: (-item[1], item[0])))
    firsts = [first for _c, _n, first, _l in rows if first is not None]
    lasts = [last for _c, _n, _f, last in rows if last is not None]
    sizes = {k.population for k in defn.kpis if k.population}
    return SurveyFacts(
        survey_key=survey.key, title=defn.title["ja"], fiscal_year=fiscal_year,
        responses=sum(count for _c, count in by_channel), first=min(firsts, default=None),
        last=max(lasts, default=None), by_channel=by_channel, audience=defn.audience,
        population=defn.report.population, population_size=max(sizes) if sizes else None,
        department=defn.report.department)
