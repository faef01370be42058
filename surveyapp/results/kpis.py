"""KPI rates per fiscal year: counted in SQL (one GROUP BY), estimated by surveyapp.stats.

Every number a person sees — dashboard, KPI page, downloads, printable report, open data — is
a field of a :class:`KpiYearResult` made here, so the outputs cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import and_, false, func

from ..extensions import db
from ..respond.models import Answer, Response
from ..stats import (
    BaselineComparison,
    ProportionCI,
    Reliability,
    assess_proportion,
    compare_to_baseline,
    interim_code,
    is_interim,
    proportion_ci,
    suppress_counts,
    target_path,
    target_verdict,
)
from ..surveys.models import Survey
from . import counted
from .declarations import KpiDeclaration, OptionInfo
from .filters import ALL_RESPONSES, DEMO_CHANNEL, ResultFilter, response_conditions

DEFAULT_METHOD = "wilson"
DEFAULT_LEVEL = 0.95
LEVELS = (0.90, 0.95, 0.99)
NO_ANSWER = "_no_answer"  # key of the "no answer" count in OptionCount rows


@dataclass(frozen=True)
class OptionCount:
    """How many chose one option (or gave no answer) in a year; ``hidden`` is a disclosure reason."""

    code: str
    label: str
    count: int
    in_base: bool
    success: bool
    hidden: str | None


@dataclass(frozen=True)
class Verdict:
    """Three-state verdict: against the numeric target, or — when the KPI has only a direction —
    against its baseline value used as the threshold (``against == "baseline"``).

    Before the target year (``interim``) the verdict is the position on the straight path to
    the goal (on_track / off_track / track_unclear) and ``threshold`` is the path value of the
    year; ``goal`` is the target (or baseline) itself.
    """

    verdict: str | None
    threshold: float
    against: str
    direction: str
    bound: float | None
    p_value: float | None
    interim: bool = False
    goal: float | None = None
    goal_year: int | None = None


@dataclass(frozen=True)
class VerdictRule:
    """What a KPI-year is judged against: the goal, and the value used this year."""

    threshold: float
    against: str
    interim: bool
    goal: float
    goal_year: int


def verdict_rule(declaration: KpiDeclaration, year: int) -> VerdictRule:
    """The one place that decides the threshold of a KPI-year (unweighted and weighted).

    The goal is the numeric target, or the baseline when only a direction is declared; before
    the target year the threshold is the value on the straight path from the baseline to it.
    """
    if declaration.target_value is not None:
        goal, against = declaration.target_value, "target"
    else:
        goal, against = declaration.baseline_value, "baseline"
    interim = is_interim(year, declaration.target_fiscal_year)
    threshold = goal
    if interim and 0.0 < goal < 1.0 and 0.0 <= declaration.baseline_value <= 1.0:
        threshold = target_path(baseline=declaration.baseline_value,
                                baseline_year=declaration.baseline_fiscal_year, target=goal,
                                target_year=declaration.target_fiscal_year, year=year)
    return VerdictRule(threshold, against, interim, goal, declaration.target_fiscal_year)


@dataclass(frozen=True)
class KpiYearResult:
    """One KPI in one fiscal year under one filter: counts, estimate, interval, verdicts (unrounded)."""

    kpi: KpiDeclaration
    fiscal_year: int
    responses: int
    demo_responses: int
    no_answer: int
    excluded: int
    base_n: int
    successes: int
    counts: dict[str, int]
    options: tuple[OptionCount, ...]
    interval: ProportionCI
    reliability: Reliability
    change: BaselineComparison | None
    verdict: Verdict | None
    population_exceeded: bool = False
    selection: ResultFilter = field(default=ALL_RESPONSES)
    flagged_excluded: int = 0  # flagged responses the filter would otherwise have counted

    @property
    def method(self) -> str:
        return self.interval.method

    @property
    def level(self) -> float:
        return self.interval.level

    @property
    def estimate(self) -> float | None:
        return self.interval.estimate

    @property
    def low(self) -> float | None:
        return self.interval.low

    @property
    def high(self) -> float | None:
        return self.interval.high

    @property
    def no_data(self) -> bool:
        return self.interval.no_data

    @property
    def suppressed(self) -> bool:
        """True when the estimate must not be shown (no data, small cells, unreliable)."""
        return not self.reliability.publishable

    @property
    def suppression_reason(self) -> str | None:
        return self.reliability.reason

    @property
    def effective_n(self) -> float | None:
        """n after the finite population correction (n when none applies)."""
        return self.interval.effective_n

    @property
    def fpc_applied(self) -> bool:
        return self.interval.population is not None

    @property
    def half_width(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    @property
    def hidden_counts(self) -> bool:
        return any(o.hidden for o in self.options)


def survey_id_of(declaration: KpiDeclaration) -> int:
    survey_id = db.session.scalar(db.select(Survey.id).where(Survey.key == declaration.survey_key))
    if survey_id is None:
        raise LookupError(declaration.survey_key)
    return survey_id


KpiCounts = dict[int, dict[tuple[str, str | None], int]]


def kpi_and_flagged_counts(declaration: KpiDeclaration, selection: ResultFilter = ALL_RESPONSES,
                           *, fiscal_year: int | None = None) -> tuple[KpiCounts, dict[int, int]]:
    """{fiscal year: {(channel, option code or None for no answer): responses}} and {fiscal
    year: flagged responses the filter leaves out} ({} when it keeps them): from the kept counts
    where they answer the filter, else in one GROUP BY that reads the flagged responses with the
    others and counts them apart."""
    survey_id = survey_id_of(declaration)
    if counted.enabled():
        kept = counted.kpi_counts(survey_id, declaration.question_key, selection,
                                  fiscal_year=fiscal_year)
        flagged = {} if selection.include_flagged else counted.flagged_counts(
            survey_id, replace(selection, include_flagged=True), fiscal_year=fiscal_year)
        if kept is not None and flagged is not None:
            return kept, flagged
    return _raw_kpi_counts(survey_id, declaration, selection, fiscal_year)


def _raw_kpi_counts(survey_id: int, declaration: KpiDeclaration, selection: ResultFilter,
                    fiscal_year: int | None) -> tuple[KpiCounts, dict[int, int]]:
    """The counts of :func:`kpi_and_flagged_counts` and the flagged responses the filter leaves
    out ({} when it keeps them), from the responses and answers.  The KPI's question is single-choice, so
    each response is one row of the join (its answer, or none)."""
    apart = not selection.include_flagged
    conditions = response_conditions(survey_id, replace(selection, include_flagged=True))
    if fiscal_year is not None:
        conditions.append(Response.fiscal_year == fiscal_year)
    rows = db.session.execute(
        db.select(Response.fiscal_year, Response.channel, Answer.option_code, func.count(),
                  Response.flagged if apart else false())
        .select_from(Response)
        .outerjoin(Answer, and_(Answer.response_id == Response.id,
                                Answer.question_key == declaration.question_key))
        .where(*conditions)
        .group_by(Response.fiscal_year, Response.channel, Answer.option_code,
                  *([Response.flagged] if apart else []))
    )
    counts: KpiCounts = defaultdict(dict)
    flagged: dict[int, int] = defaultdict(int)
    for year, channel, code, count, is_flagged in rows:
        if is_flagged:
            flagged[year] += count
        else:
            counts[year][(channel, code)] = count
    return counts, dict(flagged)


def kpi_year_results(
    declaration: KpiDeclaration, *, method: str = DEFAULT_METHOD, level: float = DEFAULT_LEVEL,
    selection: ResultFilter = ALL_RESPONSES, fiscal_year: int | None = None,
) -> list[KpiYearResult]:
    """Per fiscal year with responses (oldest first): counts, interval, reliability and verdicts."""
    by_year, flagged = kpi_and_flagged_counts(declaration, selection, fiscal_year=fiscal_year)
    results = []
    for year in sorted(by_year):
        option_counts: dict[str | None, int] = defaultdict(int)
        demo = 0
        for (channel, code), count in by_year[year].items():
            option_counts[code] += count
            if channel == DEMO_CHANNEL:
                demo += count
        results.append(year_result(declaration, year, option_counts, demo_responses=demo,
                                   method=method, level=level, selection=selection,
                                   flagged_excluded=flagged.get(year, 0)))
    return results


def year_result(
    declaration: KpiDeclaration, year: int, option_counts: dict[str | None, int], *,
    demo_responses: int = 0, method: str = DEFAULT_METHOD, level: float = DEFAULT_LEVEL,
    selection: ResultFilter = ALL_RESPONSES, flagged_excluded: int = 0,
) -> KpiYearResult:
    """Apply the KPI formula and the statistics to the option counts of one year.

    Base n = answers − excluded options (+ no answers when ``no_answer_in_base``); successes =
    answers in the success options. The declared population N (if n does not exceed it) gives
    the finite population correction of the interval, the change, the verdict and the
    effective n of the suppression rule.
    """
    counts = {code: c for code, c in option_counts.items() if code is not None and c}
    no_answer = option_counts.get(None, 0)
    responses = sum(counts.values()) + no_answer
    excluded = sum(counts.get(code, 0) for code in declaration.excluded)
    successes = sum(counts.get(code, 0) for code in declaration.success)
    base_n = responses - excluded - (0 if declaration.no_answer_in_base else no_answer)
    population = declaration.population
    exceeded = population is not None and base_n > population
    if exceeded:
        population = None  # n > N: the declared N is wrong or outdated; no correction
    interval = proportion_ci(successes, base_n, method=method, level=level, population=population)
    reliability = assess_proportion(successes, base_n, level=level, population=population)
    change = verdict = None
    if base_n > 0:
        change = compare_to_baseline(
            successes, base_n, baseline_rate=declaration.baseline_value,
            baseline_n=declaration.baseline_n or None, level=level,
            direction=declaration.direction, population=population)
        verdict = _verdict(declaration, year, successes, base_n, level, population)
    return KpiYearResult(
        kpi=declaration, fiscal_year=year, responses=responses, demo_responses=demo_responses,
        no_answer=no_answer, excluded=excluded, base_n=base_n, successes=successes,
        counts=counts, options=_option_rows(declaration, counts, no_answer), interval=interval,
        reliability=reliability, change=change, verdict=verdict, population_exceeded=exceeded,
        selection=selection, flagged_excluded=flagged_excluded,
    )


def _verdict(declaration: KpiDeclaration, year: int, successes: int, n: int, level: float,
             population: int | None) -> Verdict | None:
    rule = verdict_rule(declaration, year)
    if not 0.0 < rule.threshold < 1.0 or level <= 0.5:
        return None
    result = target_verdict(successes, n, target=rule.threshold, direction=declaration.direction,
                            level=level, population=population)
    code = interim_code(result.verdict) if rule.interim else result.verdict
    return Verdict(verdict=code, threshold=rule.threshold, against=rule.against,
                   direction=declaration.direction, bound=result.bound, p_value=result.p_value,
                   interim=rule.interim, goal=rule.goal, goal_year=rule.goal_year)


def _option_rows(declaration: KpiDeclaration, counts: dict[str, int],
                 no_answer: int) -> tuple[OptionCount, ...]:
    known = list(declaration.options)
    known += [OptionInfo(code, code, "answer") for code in counts if code not in
              {o.code for o in declaration.options}]
    values: dict[str, int] = {o.code: counts.get(o.code, 0) for o in known}
    values[NO_ANSWER] = no_answer
    hidden = suppress_counts(values)
    rows = [OptionCount(code=o.code, label=o.label, count=values[o.code],
                        in_base=o.code not in declaration.excluded,
                        success=o.code in declaration.success, hidden=hidden[o.code])
            for o in known]
    rows.append(OptionCount(code=NO_ANSWER, label=_("無回答"), count=no_answer,
                            in_base=declaration.no_answer_in_base, success=False,
                            hidden=hidden[NO_ANSWER]))
    return tuple(rows)


def latest_result(results: list[KpiYearResult]) -> KpiYearResult | None:
    return results[-1] if results else None
