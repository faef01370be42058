"""All KPIs at once, for the dashboard, the report, the KPI downloads and open data."""

from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..respond.models import Response
from .declarations import KpiDeclaration, kpi_declarations
from .filters import ALL_RESPONSES, ResultFilter
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
    return list(db.session.scalars(db.select(Response.fiscal_year).where(
        Response.survey_id == survey_id).distinct().order_by(Response.fiscal_year)))
