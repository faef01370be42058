"""A KPI weighted to the resident population: post-stratified, or raked when cells are thin.

Needs one row per respondent (their KPI answer and their age band, gender and area) — fetched
as a single grouped query of only those columns. Respondents without an age band or gender
answer, or in a category the population table does not have (e.g. 「その他・回答しない」), cannot
be weighted and are left out; how many is reported beside the result.

Weights that cannot be made or do not meet the population totals (a margin category without
respondents, or raking that ends with a margin off its total) never give a number: the result
then has ``failure`` set (which margin and category, by how much), no estimate, and the
suppression reason ``weighting_failed``, so every output shows 「—」 and the KPI page says what
to do. The figures shown beside the estimate are Kish's design effect of the weights and the
effective n = n ÷ design effect, on the same respondents as n (so never above n). The change
against the baseline is Newcombe's method on the effective sample size of the linearization
variance (``compare_weighted_to_baseline``). The KPI's declared population, when it has one,
is the N of the finite population correction, as for the unweighted row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func

from ..extensions import db
from ..respond.models import Answer, Response
from ..stats import (
    BaselineComparison,
    CalibrationError,
    EmptyCellError,
    Reliability,
    TargetVerdict,
    WeightedProportion,
    WeightingError,
    WeightingResult,
    assess_weighted,
    compare_weighted_to_baseline,
    interim_code,
    poststratify,
    rake,
    weighted_proportion,
    weighted_target_verdict,
)
from .breakdowns import DEMOGRAPHIC_TITLES
from .declarations import KpiDeclaration
from .filters import ALL_RESPONSES, ResultFilter, response_conditions
from .kpis import DEFAULT_LEVEL, survey_id_of, verdict_rule
from .population import Cell, population_cells

WEIGHTED_METHOD = "logit"
MIN_CELL_RESPONDENTS = 10  # fewer respondents in a post-stratum → rake on the margins instead


WEIGHTING_FAILED = "weighting_failed"  # suppression reason of a row whose weights failed


@dataclass(frozen=True)
class WeightingFailure:
    """Why no weights were made: the margin (``age_band``, ``gender``, ``area``) and category
    that could not be met, the population total, the weighted total reached and the relative
    misfit (``kind`` is ``not_converged``, ``empty_category`` or ``other``)."""

    kind: str
    variable: str | None
    category: str | None
    category_label: str | None
    target: float | None
    achieved: float | None
    misfit: float | None
    message: str

    @property
    def variable_label(self) -> str:
        """「年齢区分」「性別」「地区」 (the population table's column titles)."""
        return str(DEMOGRAPHIC_TITLES.get(self.variable or "", self.variable or ""))


@dataclass(frozen=True)
class WeightedResult:
    """The weighted KPI for a year, or why it could not be computed (``problem``)."""

    kpi: KpiDeclaration
    fiscal_year: int
    problem: str | None
    scheme: str | None = None  # "poststratify" or "rake"
    variables: tuple[str, ...] = ()
    respondents: int = 0
    left_out: int = 0
    proportion: WeightedProportion | None = None
    reliability: Reliability | None = None
    verdict: TargetVerdict | None = None
    weighting: WeightingResult | None = None
    population_total: int = 0
    failure: WeightingFailure | None = None
    change: BaselineComparison | None = None
    population: int | None = None  # N of the finite population correction

    @property
    def estimate(self) -> float | None:
        return self.proportion.estimate if self.proportion else None

    @property
    def low(self) -> float | None:
        return self.proportion.low if self.proportion else None

    @property
    def high(self) -> float | None:
        return self.proportion.high if self.proportion else None

    @property
    def effective_n(self) -> float | None:
        """Kish's effective n = n ÷ design effect, on the same respondents as n (≤ n)."""
        return self.proportion.kish_effective_n if self.proportion else None

    @property
    def design_effect(self) -> float | None:
        """Kish's design effect 1 + CV² of the weights of the respondents in n."""
        return self.proportion.kish_deff if self.proportion else None

    @property
    def suppressed(self) -> bool:
        return (self.failure is not None or self.reliability is None
                or not self.reliability.publishable)

    @property
    def suppression_reason(self) -> str | None:
        if self.failure is not None:
            return WEIGHTING_FAILED
        return None if self.reliability is None else self.reliability.reason


def weighted_kpi(declaration: KpiDeclaration, fiscal_year: int, *, level: float = DEFAULT_LEVEL,
                 method: str = WEIGHTED_METHOD,
                 selection: ResultFilter = ALL_RESPONSES) -> WeightedResult:
    """Weight one KPI-year to the population table of that fiscal year."""
    import numpy as np

    questions = {g.demographic: g.key for g in declaration.demographics}
    if "age_band" not in questions or "gender" not in questions:
        return WeightedResult(declaration, fiscal_year, problem="no_demographics")
    stored = population_cells(fiscal_year)
    if stored is None:
        return WeightedResult(declaration, fiscal_year, problem="no_population")
    table, cells = stored
    variables = ("age_band", "gender", "area") if table.has_area and "area" in questions else (
        "age_band", "gender")
    if table.has_area and "area" not in questions:
        cells = _collapse_area(cells)
    rows = _respondents(declaration, fiscal_year, [questions[v] for v in variables], selection)
    known = {key for key, count in cells.items() if count > 0}
    kept: list[tuple[str | None, Cell]] = []
    for code, *labels in rows:
        key = (labels[0], labels[1], labels[2] if len(labels) > 2 else None)
        if key in known:
            kept.append((code, key))
    left_out = len(rows) - len(kept)
    if not kept:
        return WeightedResult(declaration, fiscal_year, problem="no_respondents", left_out=left_out)
    in_base = np.array([_in_base(declaration, code) for code, _ in kept], dtype=bool)
    y = np.array([code in declaration.success for code, _ in kept], dtype=np.float64)
    population: dict[Hashable, float] = {key: float(c) for key, c in cells.items() if c > 0}
    per_cell: Counter[Hashable] = Counter(key for _, key in kept)
    by_cells = all(per_cell[key] >= MIN_CELL_RESPONDENTS for key in population)
    try:
        if by_cells:
            weighting = poststratify([key for _, key in kept], population)
        else:
            sample = {v: [key[i] for _, key in kept] for i, v in enumerate(variables)}
            margins = {v: _margin(population, i) for i, v in enumerate(variables)}
            weighting = rake(sample, margins)
    except WeightingError as exc:
        return WeightedResult(declaration, fiscal_year, problem=WEIGHTING_FAILED,
                              scheme="poststratify" if by_cells else "rake", variables=variables,
                              respondents=len(kept), left_out=left_out,
                              failure=_failure(declaration, exc), population_total=table.total)
    size = declaration.population
    fpc_population = size if size is not None and len(kept) <= size else None
    proportion = weighted_proportion(y, weighting.weights, level=level, method=method,
                                     calibration=weighting, in_base=in_base,
                                     population=fpc_population)
    reliability = verdict = change = None
    if not proportion.no_data and proportion.estimate is not None:
        reliability = assess_weighted(proportion)
        change = compare_weighted_to_baseline(
            proportion, baseline_rate=declaration.baseline_value,
            baseline_n=declaration.baseline_n or None, direction=declaration.direction)
        rule = verdict_rule(declaration, fiscal_year)
        if 0.0 < rule.threshold < 1.0 and level > 0.5:
            verdict = weighted_target_verdict(
                y, weighting.weights, target=rule.threshold, direction=declaration.direction,
                level=level, method=method, calibration=weighting, in_base=in_base,
                population=fpc_population)
            if rule.interim:
                verdict = replace(verdict, verdict=interim_code(verdict.verdict))
    return WeightedResult(
        declaration, fiscal_year, problem=None, scheme=weighting.method, variables=variables,
        respondents=len(kept), left_out=left_out, proportion=proportion, reliability=reliability,
        verdict=verdict, weighting=weighting, population_total=table.total, change=change,
        population=fpc_population,
    )


def _failure(declaration: KpiDeclaration, exc: WeightingError) -> WeightingFailure:
    """The engine's reason, with the category's label from the survey for the staff message."""
    variable = getattr(exc, "variable", None)
    category = getattr(exc, "cell", getattr(exc, "category", None))
    code = category if isinstance(category, str) else None
    group = next((g for g in declaration.demographics if g.demographic == variable), None)
    label = group.label_of(code) if group is not None and code is not None else None
    if isinstance(exc, CalibrationError):
        return WeightingFailure("not_converged", exc.variable, code, label or code, exc.target,
                                exc.achieved, exc.misfit, str(exc))
    if isinstance(exc, EmptyCellError):
        return WeightingFailure("empty_category", variable, code, label or code, exc.total, 0.0,
                                1.0, str(exc))
    return WeightingFailure("other", variable, code, label or code, None, None, None, str(exc))


def _in_base(declaration: KpiDeclaration, code: str | None) -> bool:
    if code is None:
        return declaration.no_answer_in_base
    return code not in declaration.excluded


def _margin(population: dict[Hashable, float], index: int) -> Mapping[Hashable, float]:
    margin: dict[Hashable, float] = {}
    for key, count in population.items():
        label = key[index]  # type: ignore[index]
        margin[label] = margin.get(label, 0.0) + count
    return margin


def _collapse_area(cells: dict[Cell, int]) -> dict[Cell, int]:
    collapsed: dict[Cell, int] = {}
    for (age, gender, _area), count in cells.items():
        collapsed[(age, gender, None)] = collapsed.get((age, gender, None), 0) + count
    return collapsed


def _respondents(declaration: KpiDeclaration, fiscal_year: int, keys: list[str],
                 selection: ResultFilter) -> list[tuple[str | None, ...]]:
    """(KPI option code, label of each key) per respondent — only these columns."""
    wanted = [declaration.question_key, *keys]
    columns = [func.max(case((Answer.question_key == key, Answer.option_code))) for key in wanted]
    conditions = response_conditions(survey_id_of(declaration), selection)
    conditions.append(Response.fiscal_year == fiscal_year)
    rows = db.session.execute(
        db.select(*columns).select_from(Response)
        .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.question_key.in_(wanted)))
        .where(*conditions).group_by(Response.id)
    )
    return [tuple(row) for row in rows]
