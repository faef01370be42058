"""Change against a baseline and target verdicts; intervals are never judged by overlap.

Change (``compare_to_baseline``):

* baseline n known: the baseline is a second, independent sample; the difference
  current - baseline gets Newcombe's hybrid score interval (method 10). The published
  baseline rate is used as is (it is not rounded to a count).
* baseline n unknown: the baseline is a fixed value p0; the interval for current - p0 is the
  Wilson interval of the current rate minus p0, and the two-sided score test gives the p-value.
  The two agree: the interval excludes 0 exactly when p < 1 - level.

The change is ``increased`` when the whole interval is above 0, ``decreased`` when it is below
0, otherwise ``no_detectable_change``. ``interpret_change`` maps that to
``improved``/``declined`` with the KPI direction (for a "down" KPI a decrease is an
improvement; "maintain" reads like "up").

Target (``target_verdict``), with the one-sided Wilson bound at `level` (critical value
z = Phi^-1(level), i.e. the bound of the two-sided interval at 2 * level - 1):

* up: ``reached`` if the one-sided lower bound > target; ``not_reached`` if the upper bound of
  the two-sided interval at `level` < target; otherwise ``inconclusive``.
* maintain: as up, but ``reached`` already when the one-sided lower bound >= target.
* down: ``reached`` if the one-sided upper bound < target; ``not_reached`` if the lower bound
  of the two-sided interval > target; otherwise ``inconclusive``.

The p-value is that of the one-sided score test of H0: rate at the target (against "above"
for up/maintain, "below" for down); "reached" happens exactly when it is below 1 - level
(for maintain, at or below).

Before the target year (``interim_position``) a target cannot have been missed yet, so the
rate is judged against where it should be by now: the straight path from the baseline (in its
year) to the target (in the target year), ``target_path``. The same three-state rule applied to
the path value gives ``on_track`` (the one-sided bound is beyond the path), ``off_track`` (the
whole interval is short of it) or ``track_unclear`` (otherwise). In and after the target year
the ordinary verdict applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import _dist
from ._checks import (
    check_choice,
    check_count,
    check_counts,
    check_level,
    check_population,
    check_rate,
)
from .differences import rate_difference_interval
from .proportions import finite_population_factor, wilson_bound

CHANGES: tuple[str, ...] = ("increased", "decreased", "no_detectable_change")
ASSESSMENTS: tuple[str, ...] = ("improved", "declined", "no_detectable_change")
DIRECTIONS: tuple[str, ...] = ("up", "down", "maintain")
TARGET_VERDICTS: tuple[str, ...] = ("reached", "not_reached", "inconclusive")
INTERIM_POSITIONS: tuple[str, ...] = ("on_track", "off_track", "track_unclear")
_INTERIM = dict(zip(TARGET_VERDICTS, INTERIM_POSITIONS, strict=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineComparison:
    """Change current - baseline with its interval, the neutral change and its assessment."""

    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float
    n: int
    successes: int
    current_rate: float | None
    baseline_rate: float
    baseline_n: int | None
    baseline_treated_as: str
    change: str | None
    assessment: str | None
    direction: str | None
    p_value: float | None
    population: int | None = None
    effective_n: float | None = None
    no_data: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetVerdict:
    """Three-state verdict against a target, with the bounds it was decided on."""

    verdict: str | None
    estimate: float | None
    low: float | None
    high: float | None
    bound: float | None
    p_value: float | None
    target: float
    direction: str
    method: str
    level: float
    n: int
    successes: int
    population: int | None = None
    no_data: bool = False


def interpret_change(change: str, direction: str) -> str:
    """Map increased/decreased/no_detectable_change to improved/declined for a KPI direction."""
    check_choice(change, CHANGES, "change")
    check_choice(direction, DIRECTIONS, "direction")
    if change == "no_detectable_change":
        return change
    good = "decreased" if direction == "down" else "increased"
    return "improved" if change == good else "declined"


def compare_to_baseline(
    x: int,
    n: int,
    *,
    baseline_rate: float,
    baseline_n: int | None = None,
    level: float = 0.95,
    direction: str | None = None,
    population: int | None = None,
) -> BaselineComparison:
    """Compare x/n with a baseline rate: two samples if baseline_n is known, else a fixed value."""
    successes, size = check_counts(x, n)
    level = check_level(level)
    p0 = check_baseline(baseline_rate, baseline_n, direction)
    pop = check_population(population, size)
    treated_as = "fixed" if baseline_n is None else "sample"
    method = "score" if baseline_n is None else "newcombe"
    if size == 0:
        return BaselineComparison(
            estimate=None, low=None, high=None, method=method, level=level, n=0, successes=0,
            current_rate=None, baseline_rate=p0, baseline_n=baseline_n,
            baseline_treated_as=treated_as, change=None, assessment=None, direction=direction,
            p_value=None, population=pop, no_data=True,
        )
    fpc = finite_population_factor(size, pop)
    n_eff = size / fpc if fpc > 0.0 else math.inf
    p = successes / size
    low, high, p_value = rate_change_interval(p, n_eff, p0, baseline_n, level)
    change = classify_change(low, high)
    assessment = None if direction is None else interpret_change(change, direction)
    return BaselineComparison(
        estimate=p - p0, low=low, high=high, method=method, level=level, n=size,
        successes=successes, current_rate=p, baseline_rate=p0, baseline_n=baseline_n,
        baseline_treated_as=treated_as, change=change, assessment=assessment,
        direction=direction, p_value=p_value, population=pop,
    )


def check_baseline(baseline_rate: float, baseline_n: int | None, direction: str | None) -> float:
    """Validate the baseline arguments of a comparison; return the baseline rate."""
    p0 = check_rate(baseline_rate, "baseline_rate")
    if baseline_n is not None and check_count(baseline_n, "baseline_n") == 0:
        raise ValueError("baseline_n must be positive when given")
    if direction is not None:
        check_choice(direction, DIRECTIONS, "direction")
    return p0


def rate_change_interval(
    p: float, n_eff: float, p0: float, baseline_n: int | None, level: float
) -> tuple[float, float, float | None]:
    """Interval for p - p0 with p observed on effective size n_eff (inf: no sampling error).

    A known baseline n gives Newcombe's hybrid score interval (no p-value); a fixed baseline
    gives the Wilson interval of p minus p0 and the two-sided score-test p-value.
    """
    if baseline_n is not None:
        low, high = rate_difference_interval(p, n_eff, p0, float(baseline_n), level)
        return low, high, None
    if math.isinf(n_eff):
        low = high = p
    else:
        low, high = wilson_bound(p, n_eff, _dist.two_sided_z(level))
    z = _score_z(p, p0, n_eff)
    p_value = 1.0 if z == 0.0 else min(1.0, 2.0 * _dist.normal_sf(abs(z)))
    return low - p0, high - p0, p_value


def classify_change(low: float, high: float) -> str:
    """``increased`` when the whole interval is above 0, ``decreased`` when below, else none."""
    if low > 0.0:
        return "increased"
    if high < 0.0:
        return "decreased"
    return "no_detectable_change"


def target_verdict(
    x: int,
    n: int,
    *,
    target: float,
    direction: str = "up",
    level: float = 0.95,
    population: int | None = None,
) -> TargetVerdict:
    """Reached / not_reached / inconclusive from Wilson score bounds; never a Wald test."""
    successes, size = check_counts(x, n)
    level = check_level(level)
    if level <= 0.5:
        raise ValueError("level for a target verdict must be above 0.5")
    goal = check_rate(target, "target", open_interval=True)
    check_choice(direction, DIRECTIONS, "direction")
    pop = check_population(population, size)
    if size == 0:
        return TargetVerdict(
            verdict=None, estimate=None, low=None, high=None, bound=None, p_value=None,
            target=goal, direction=direction, method="wilson", level=level, n=0, successes=0,
            population=pop, no_data=True,
        )
    fpc = finite_population_factor(size, pop)
    p = successes / size
    if fpc == 0.0:
        low = high = bound = p
        beyond = p < goal if direction == "down" else p > goal
        if direction == "maintain":
            beyond = p >= goal
        p_value = 0.0 if beyond else 1.0
    else:
        n_eff = size / fpc
        low, high = wilson_bound(p, n_eff, _dist.two_sided_z(level))
        one_low, one_high = wilson_bound(p, n_eff, _dist.normal_quantile(level))
        bound = one_high if direction == "down" else one_low
        z = _score_z(p, goal, n_eff)
        p_value = _dist.normal_cdf(z) if direction == "down" else _dist.normal_sf(z)
    verdict = classify_target(bound=bound, low=low, high=high, target=goal, direction=direction)
    return TargetVerdict(
        verdict=verdict, estimate=p, low=low, high=high, bound=bound, p_value=p_value,
        target=goal, direction=direction, method="wilson", level=level, n=size,
        successes=successes, population=pop,
    )


def classify_target(
    *, bound: float, low: float, high: float, target: float, direction: str
) -> str:
    """Apply the three-state target rule to a one-sided bound and a two-sided interval."""
    check_choice(direction, DIRECTIONS, "direction")
    if direction == "down":
        if bound < target:
            return "reached"
        return "not_reached" if low > target else "inconclusive"
    if bound > target or (direction == "maintain" and bound >= target):
        return "reached"
    return "not_reached" if high < target else "inconclusive"


def _score_z(p: float, p0: float, n_eff: float) -> float:
    """Score statistic (p - p0)/sqrt(p0(1 - p0)/n); infinite when p0 is 0 or 1 and p differs."""
    diff = p - p0
    variance = 0.0 if math.isinf(n_eff) else p0 * (1 - p0) / n_eff
    if variance == 0.0:
        return 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(variance)


def is_interim(year: int, target_year: int) -> bool:
    """A result before the target year gets an interim position, not a verdict."""
    return year < target_year


def target_path(*, baseline: float, baseline_year: int, target: float, target_year: int,
                year: int) -> float:
    """The value on the straight line from the baseline to the target in ``year``.

    Before the baseline year the path is the baseline; from the target year on, the target.
    """
    start = check_rate(baseline, "baseline")
    goal = check_rate(target, "target")
    if target_year <= baseline_year or year >= target_year:
        return goal
    if year <= baseline_year:
        return start
    return start + (goal - start) * (year - baseline_year) / (target_year - baseline_year)


def interim_code(verdict: str | None) -> str | None:
    """The interim position for a verdict taken against the path value."""
    if verdict is None:
        return None
    check_choice(verdict, TARGET_VERDICTS, "verdict")
    return _INTERIM[verdict]


def interim_position(
    x: int,
    n: int,
    *,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    year: int,
    direction: str = "up",
    level: float = 0.95,
    population: int | None = None,
) -> TargetVerdict:
    """The target rule against the path value of ``year`` (``target`` of the result is that
    value); ``verdict`` is on_track / off_track / track_unclear. Only for years before the
    target year."""
    if not is_interim(year, target_year):
        raise ValueError("in and after the target year use target_verdict")
    path = target_path(baseline=baseline, baseline_year=baseline_year, target=target,
                       target_year=target_year, year=year)
    result = target_verdict(x, n, target=path, direction=direction, level=level,
                            population=population)
    return replace(result, verdict=interim_code(result.verdict))
