"""KPI rates per fiscal year, counted in SQL and estimated by surveyapp.stats."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func

from ..extensions import db
from ..respond.models import Answer, Response
from ..stats import proportion_ci
from ..surveys.models import Kpi, Survey

DEFAULT_METHOD = "wilson"
DEFAULT_LEVEL = 0.95


@dataclass(frozen=True)
class KpiDeclaration:
    """A KPI as declared by the current version of its survey (plain values)."""

    survey_key: str
    key: str
    title: str
    headline: str
    question_key: str
    success: tuple[str, ...]
    excluded: tuple[str, ...]
    no_answer_in_base: bool
    direction: str
    baseline_value: float
    baseline_fiscal_year: int
    baseline_n: int | None
    target_value: float | None
    target_fiscal_year: int
    population: int | None


@dataclass(frozen=True)
class KpiYearResult:
    """One KPI in one fiscal year: counts, estimate and interval (unrounded)."""

    kpi: KpiDeclaration
    fiscal_year: int
    responses: int
    no_answer: int
    excluded: int
    base_n: int
    successes: int
    counts: dict[str, int]
    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float


def kpi_declarations() -> list[KpiDeclaration]:
    """Every KPI of every survey's current version, in survey-key order."""
    declarations = []
    for survey in db.session.scalars(db.select(Survey).order_by(Survey.key)):
        version = survey.current_version
        if version is None:
            continue
        for kpi in version.kpis:
            declarations.append(_declaration(survey.key, kpi))
    return declarations


def _declaration(survey_key: str, kpi: Kpi) -> KpiDeclaration:
    return KpiDeclaration(
        survey_key=survey_key, key=kpi.key, title=kpi.titles["ja"],
        headline=kpi.headline.get("ja", ""), question_key=kpi.question_key,
        success=tuple(kpi.success), excluded=tuple(kpi.excluded),
        no_answer_in_base=kpi.no_answer_in_base, direction=kpi.direction,
        baseline_value=kpi.baseline_value, baseline_fiscal_year=kpi.baseline_fiscal_year,
        baseline_n=kpi.baseline_n, target_value=kpi.target_value,
        target_fiscal_year=kpi.target_fiscal_year, population=kpi.population,
    )


def kpi_year_results(
    declaration: KpiDeclaration, *, method: str = DEFAULT_METHOD, level: float = DEFAULT_LEVEL
) -> list[KpiYearResult]:
    """Per fiscal year with responses: counts by option, base, successes and interval."""
    survey_id = db.session.scalar(db.select(Survey.id).where(Survey.key == declaration.survey_key))
    totals = dict(db.session.execute(
        db.select(Response.fiscal_year, func.count(Response.id))
        .where(Response.survey_id == survey_id)
        .group_by(Response.fiscal_year)
    ).all())
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        db.select(Response.fiscal_year, Answer.option_code, func.count(Answer.id))
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id == survey_id, Answer.question_key == declaration.question_key)
        .group_by(Response.fiscal_year, Answer.option_code)
    )
    for year, code, count in rows:
        if code is not None:
            counts[year][code] = count
    return [
        _year_result(declaration, year, totals[year], counts.get(year, {}), method, level)
        for year in sorted(totals)
    ]


def _year_result(declaration: KpiDeclaration, year: int, responses: int, counts: dict[str, int],
                 method: str, level: float) -> KpiYearResult:
    answered = sum(counts.values())
    no_answer = responses - answered
    excluded = sum(counts.get(code, 0) for code in declaration.excluded)
    successes = sum(counts.get(code, 0) for code in declaration.success)
    base_n = answered - excluded + (no_answer if declaration.no_answer_in_base else 0)
    estimate = low = high = None
    if base_n > 0:
        interval = proportion_ci(successes, base_n, method=method, level=level,
                                 population=declaration.population)
        estimate, low, high = interval.estimate, interval.low, interval.high
    return KpiYearResult(
        kpi=declaration, fiscal_year=year, responses=responses, no_answer=no_answer,
        excluded=excluded, base_n=base_n, successes=successes, counts=dict(counts),
        estimate=estimate, low=low, high=high, method=method, level=level,
    )
