"""Precision planning: sample size for a margin, minimum detectable change, n to show a change.

* ``sample_size``: n0 = deff * z^2 p (1 - p) / m^2 for a normal-approximation half-width m at
  the expected rate p; with a population N the finite population correction of
  ``proportion_ci`` gives n = N n0 / (N - 1 + n0). Invitations = completed / response rate.
  Both are rounded up. (At p near 0 or 1 the Wilson interval is asymmetric; m is then only a
  guide.)
* ``minimum_detectable_change`` and ``sample_size_to_detect`` use the usual power
  approximation for the score test of p1 against p0, two-sided at `level` unless
  ``alternative="one-sided"`` (which matches the target rule of ``target_verdict``):

      |p1 - p0| = z_a * s0 + z_b * s1

  baseline fixed:  s0 = sqrt(p0 q0 / n),  s1 = sqrt(p1 q1 / n);
  baseline a sample of n0 (two independent samples, Fleiss):
      s0 = sqrt(pbar qbar (1/n + 1/n0)),  pbar = (n p1 + n0 p0) / (n + n0),
      s1 = sqrt(p1 q1 / n + p0 q0 / n0).
  A population N for the new survey replaces n by the effective size n (N - 1) / (N - n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _dist
from ._checks import check_choice, check_count, check_level, check_rate

ALTERNATIVES: tuple[str, ...] = ("two-sided", "one-sided")
_HUGE_N = 1e12


@dataclass(frozen=True, slots=True, kw_only=True)
class SampleSizePlan:
    """Completed responses and invitations needed for a margin of error."""

    completed: int
    invitations: int
    n_exact: float
    margin: float
    level: float
    expected: float
    population: int | None
    response_rate: float
    design_effect: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MinimumDetectableChange:
    """Smallest increase and decrease (absolute) detectable with the given power; None if none."""

    increase: float | None
    decrease: float | None
    n: int
    baseline_rate: float
    baseline_n: int | None
    baseline_treated_as: str
    level: float
    power: float
    alternative: str
    population: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DetectionPlan:
    """Completed responses needed to show `expected_rate` against `baseline_rate`."""

    completed: int | None
    invitations: int | None
    achievable: bool
    n_exact: float | None
    expected_rate: float
    baseline_rate: float
    baseline_n: int | None
    baseline_treated_as: str
    level: float
    power: float
    alternative: str
    population: int | None
    response_rate: float


def sample_size(
    margin: float,
    *,
    level: float = 0.95,
    expected: float = 0.5,
    population: int | None = None,
    response_rate: float = 1.0,
    design_effect: float = 1.0,
) -> SampleSizePlan:
    """Completed responses (and invitations) for a +/- margin at a confidence level."""
    level = check_level(level)
    m = check_rate(margin, "margin", open_interval=True)
    p = check_rate(expected, "expected", open_interval=True)
    rr = _check_response_rate(response_rate)
    if not design_effect > 0 or not math.isfinite(design_effect):
        raise ValueError("design_effect must be a positive number")
    pop = _check_planning_population(population)
    z = _dist.two_sided_z(level)
    n = design_effect * z * z * p * (1 - p) / (m * m)
    if pop is not None:
        n = pop * n / (pop - 1 + n) if pop > 1 else 1.0
    completed = _ceil(n)
    if pop is not None:
        completed = min(completed, pop)
    return SampleSizePlan(
        completed=completed, invitations=_ceil(completed / rr), n_exact=n, margin=m,
        level=level, expected=p, population=pop, response_rate=rr,
        design_effect=float(design_effect),
    )


def minimum_detectable_change(
    n: int,
    baseline_rate: float,
    *,
    level: float = 0.95,
    power: float = 0.8,
    baseline_n: int | None = None,
    alternative: str = "two-sided",
    population: int | None = None,
) -> MinimumDetectableChange:
    """Smallest change from the baseline that a survey of n completes detects with `power`."""
    size = check_count(n, "n")
    if size == 0:
        raise ValueError("n must be positive")
    p0, n0, z_a, z_b, pop = _common(baseline_rate, baseline_n, level, power, alternative,
                                    population)
    if pop is not None and size > pop:
        raise ValueError(f"n ({size}) cannot exceed the population size ({pop})")
    n_eff = math.inf if pop is not None and size >= pop else _effective(size, pop)

    def gap(p1: float) -> float:
        return abs(p1 - p0) - _required(p0, p1, n_eff, n0, z_a, z_b)

    def solve(end: float) -> float | None:
        if gap(end) < 0:
            return None
        return abs(_dist.find_root(gap, p0, end) - p0)

    return MinimumDetectableChange(
        increase=solve(1.0), decrease=solve(0.0), n=size, baseline_rate=p0, baseline_n=n0,
        baseline_treated_as="fixed" if n0 is None else "sample", level=level, power=power,
        alternative=alternative, population=pop,
    )


def sample_size_to_detect(
    expected_rate: float,
    baseline_rate: float,
    *,
    level: float = 0.95,
    power: float = 0.8,
    baseline_n: int | None = None,
    alternative: str = "two-sided",
    population: int | None = None,
    response_rate: float = 1.0,
) -> DetectionPlan:
    """Completes needed to show expected_rate against baseline_rate (e.g. 85 % vs 79.2 %)."""
    p1 = check_rate(expected_rate, "expected_rate", open_interval=True)
    p0, n0, z_a, z_b, pop = _common(baseline_rate, baseline_n, level, power, alternative,
                                    population)
    if p1 == p0:
        raise ValueError("expected_rate must differ from baseline_rate")
    rr = _check_response_rate(response_rate)
    delta = abs(p1 - p0)
    n_eff: float | None
    if n0 is None:
        n_eff = (z_a * math.sqrt(p0 * (1 - p0)) + z_b * math.sqrt(p1 * (1 - p1))) ** 2 / delta**2
    elif delta - _required(p0, p1, _HUGE_N, n0, z_a, z_b) <= 0:
        n_eff = None
    else:
        n_eff = _dist.find_root(
            lambda m: delta - _required(p0, p1, m, n0, z_a, z_b), 1e-9, _HUGE_N
        )
    completed: int | None = None
    invitations: int | None = None
    n: float | None = None
    if n_eff is not None:
        n = n_eff if pop is None else pop * n_eff / (pop - 1 + n_eff)
        completed = _ceil(n) if pop is None else min(_ceil(n), pop)
        invitations = _ceil(completed / rr)
    return DetectionPlan(
        completed=completed, invitations=invitations, achievable=n_eff is not None, n_exact=n,
        expected_rate=p1, baseline_rate=p0, baseline_n=n0,
        baseline_treated_as="fixed" if n0 is None else "sample", level=check_level(level),
        power=float(power), alternative=alternative, population=pop, response_rate=rr,
    )


def _required(p0: float, p1: float, n: float, n0: int | None, z_a: float, z_b: float) -> float:
    inv = 0.0 if math.isinf(n) else 1.0 / n
    if n0 is None:
        return (z_a * math.sqrt(p0 * (1 - p0)) + z_b * math.sqrt(p1 * (1 - p1))) * math.sqrt(inv)
    pbar = p0 if math.isinf(n) else (n * p1 + n0 * p0) / (n + n0)
    s0 = math.sqrt(pbar * (1 - pbar) * (inv + 1.0 / n0))
    s1 = math.sqrt(p1 * (1 - p1) * inv + p0 * (1 - p0) / n0)
    return z_a * s0 + z_b * s1


def _common(
    baseline_rate: float,
    baseline_n: int | None,
    level: float,
    power: float,
    alternative: str,
    population: int | None,
) -> tuple[float, int | None, float, float, int | None]:
    p0 = check_rate(baseline_rate, "baseline_rate", open_interval=True)
    level = check_level(level)
    if not 0.0 < float(power) < 1.0:
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")
    check_choice(alternative, ALTERNATIVES, "alternative")
    n0 = None if baseline_n is None else check_count(baseline_n, "baseline_n")
    if n0 == 0:
        raise ValueError("baseline_n must be positive when given")
    alpha = 1.0 - level
    z_a = _dist.normal_quantile(1 - (alpha / 2 if alternative == "two-sided" else alpha))
    return p0, n0, z_a, _dist.normal_quantile(float(power)), _check_planning_population(
        population
    )


def _effective(n: int, population: int | None) -> float:
    if population is None:
        return float(n)
    return n * (population - 1) / (population - n)


def _check_response_rate(response_rate: float) -> float:
    rr = float(response_rate)
    if not 0.0 < rr <= 1.0:
        raise ValueError(f"response_rate must be in (0, 1], got {response_rate!r}")
    return rr


def _check_planning_population(population: int | None) -> int | None:
    if population is None:
        return None
    pop = check_count(population, "population")
    if pop < 1:
        raise ValueError("population must be at least 1")
    return pop


def _ceil(value: float) -> int:
    # Round away representation noise first so that 385.0000000001 does not become 386.
    return max(1, math.ceil(round(value, 9)))
