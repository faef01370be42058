"""Fieldwork progress of a survey in a fiscal year and the precision planner for its KPIs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func

from ..extensions import db
from ..respond.models import Response
from ..stats import (
    DetectionPlan,
    MinimumDetectableChange,
    SampleSizePlan,
    minimum_detectable_change,
    sample_size,
    sample_size_to_detect,
)
from ..surveys.models import Survey
from ..timeutil import japan_day_sql
from .declarations import KpiDeclaration, kpi_declarations
from .filters import ALL_RESPONSES, ResultFilter, response_conditions
from .kpis import KpiYearResult, kpi_year_results
from .response_rates import WaveRates, overall, survey_response_rates


@dataclass(frozen=True)
class KpiPlan:
    """Where a KPI stands now and what more responses would buy.

    ``responses_goal`` is the number of responses that should give ``for_margin.completed``
    answers in the KPI's base, at the current share of responses that count (answers such as
    「利用したことがない」 do not); ``remaining`` is how many responses are still missing.
    """

    kpi: KpiDeclaration
    result: KpiYearResult | None
    margin: float
    for_margin: SampleSizePlan
    to_show_target: DetectionPlan | None
    detectable: MinimumDetectableChange | None
    responses_goal: int = 0
    remaining: int = 0

    @property
    def base_share(self) -> float | None:
        """Share of responses in the KPI's base so far (None before any response)."""
        if self.result is None or self.result.responses == 0:
            return None
        return self.result.base_n / self.result.responses


@dataclass(frozen=True)
class DayCount:
    day: date  # Japan time
    responses: int
    cumulative: int


@dataclass(frozen=True)
class Fieldwork:
    survey_key: str
    fiscal_year: int
    total: int
    by_channel: tuple[tuple[str, int], ...]
    by_day: tuple[tuple[date, int], ...]
    plans: tuple[KpiPlan, ...]
    invitations: tuple[WaveRates, ...] = ()
    response_rate: float | None = None  # observed AAPOR RR1 of the invitation waves

    @property
    def invited(self) -> int:
        return overall(list(self.invitations)).invited

    @property
    def daily(self) -> tuple[DayCount, ...]:
        """Each day with responses, with the running total."""
        total = 0
        rows = []
        for day, count in self.by_day:
            total += count
            rows.append(DayCount(day, count, total))
        return tuple(rows)

    @property
    def by_week(self) -> tuple[tuple[date, int], ...]:
        """Responses per week (weeks start on Monday), newest first."""
        weeks: dict[date, int] = {}
        for day, count in self.by_day:
            start = day - timedelta(days=day.weekday())
            weeks[start] = weeks.get(start, 0) + count
        return tuple(sorted(weeks.items(), reverse=True))


def fieldwork(survey: Survey, fiscal_year: int, *, margin: float = 0.05,
              selection: ResultFilter = ALL_RESPONSES) -> Fieldwork:
    """Responses by channel and by day, and a plan per KPI (margin as a proportion, e.g. 0.05)."""
    conditions = response_conditions(survey.id, selection) + [Response.fiscal_year == fiscal_year]
    by_channel = db.session.execute(
        db.select(Response.channel, func.count()).where(*conditions)
        .group_by(Response.channel).order_by(func.count().desc(), Response.channel)).all()
    day = japan_day_sql(Response.submitted_at, db.engine.dialect.name)
    by_day = []
    for value, count in db.session.execute(
            db.select(day, func.count()).where(*conditions).group_by(day).order_by(day)):
        by_day.append((value if isinstance(value, date) else date.fromisoformat(str(value)), count))
    invitations = survey_response_rates(survey, fiscal_year)
    observed = overall(invitations).rates.rr1
    response_rate = observed if observed is not None and observed > 0 else None
    plans = []
    for declaration in kpi_declarations(archived=True):
        if declaration.survey_key != survey.key:
            continue
        results = kpi_year_results(declaration, selection=selection, fiscal_year=fiscal_year)
        plans.append(kpi_plan(declaration, results[0] if results else None, margin,
                              response_rate=response_rate))
    return Fieldwork(survey.key, fiscal_year, sum(c for _, c in by_channel),
                     tuple((c, n) for c, n in by_channel), tuple(by_day), tuple(plans),
                     tuple(invitations), response_rate)


def kpi_plan(declaration: KpiDeclaration, result: KpiYearResult | None, margin: float, *,
             response_rate: float | None = None) -> KpiPlan:
    """Sample size for ±margin at the current (or baseline) rate; n to show the target; MDC now.

    With the observed response rate of the invitation waves (RR1), the plans also say how many
    invitations that takes."""
    rr = response_rate if response_rate is not None and 0 < response_rate <= 1 else 1.0
    rate = result.estimate if result is not None and result.estimate not in (None, 0.0, 1.0) else None
    expected = rate if rate is not None else declaration.baseline_value
    if not 0.0 < expected < 1.0:
        expected = 0.5
    population = declaration.population
    for_margin = sample_size(margin, expected=expected, population=population, response_rate=rr)
    to_show = None
    baseline = declaration.baseline_value
    if declaration.target_value is not None and declaration.target_value != baseline and 0 < baseline < 1:
        to_show = sample_size_to_detect(declaration.target_value, baseline, baseline_n=declaration.baseline_n,
                                        alternative="one-sided", population=population,
                                        response_rate=rr)
    detectable = None
    n = result.base_n if result is not None else 0
    if n > 0 and 0 < baseline < 1 and (population is None or n <= population):
        detectable = minimum_detectable_change(n, baseline, baseline_n=declaration.baseline_n,
                                               population=population)
    responses = result.responses if result is not None else 0
    goal = for_margin.completed
    if n > 0:
        goal = math.ceil(for_margin.completed * responses / n)
    return KpiPlan(declaration, result, margin, for_margin, to_show, detectable,
                   responses_goal=goal, remaining=max(0, goal - responses))
