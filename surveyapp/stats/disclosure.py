"""Reliability and disclosure checks applied before any proportion or count is shown.

Reliability follows the NCHS Data Presentation Standards for Proportions (Parker JD, Talih M,
Malec DJ, et al. Vital Health Stat 2(175), 2017), in the form NCHS applies them in its own
software:

1. effective sample size n* = p (1 - p) / SE^2, capped at the sample size n (n* = n when
   p is 0 or 1); suppress (``small_n``) when n* < 30;
2. Korn-Graubard interval: Clopper-Pearson on min(n, n* (t_{n-1} / t_df)^2) (n when p = 0),
   width w = high - low, taken as 0 when p is 0 or 1;
3. w <= 0.05: present; w >= 0.30: suppress (``wide_interval``); otherwise suppress
   (``wide_relative_interval``) when the relative width w / p > 130 %;
4. a presented estimate is flagged ``complement_footnote`` when 0.05 < w < 0.30 and
   w / (1 - p) > 130 %, ``review_df`` when df < 8 and ``review_zero_or_full`` when p is 0 or 1.

Finite population (a deliberate extension; NCHS surveys have negligible sampling fractions):
when the estimate carries a finite population correction f (the factor of its variance:
(N - n)/(N - 1) for counts with ``population=N``, 1 - n/N for a weighted estimate), SE is
the corrected standard error and the cap in 1. and 2. is n/f instead of n. So n* = n/f for
an unweighted rate, the same effective n as its interval; a census (f = 0) has n* infinite
and an interval of width 0, and is therefore presented unless a disclosure rule applies. ``assess_proportion`` takes
``population=N`` for counts (not together with a standard error); ``assess_weighted`` takes
a weighted result with its own factor.

Disclosure: a count of 1-4 people (``small_cell``) or within 1-4 of its group total
(``complement_small``) is never shown, nor is a percentage built on one. ``suppress_counts``
also hides a second cell when only one in a group is hidden (``secondary``) so that it cannot
be recovered from the total. "No data" (n = 0) is a reason of its own, never a 0.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from . import _dist
from ._checks import (
    check_count,
    check_counts,
    check_level,
    check_population,
    check_positive_df,
)
from .proportions import finite_population_factor, rate_interval
from .weighted import WeightedProportion

SUPPRESSION_REASONS: tuple[str, ...] = (
    "no_data",
    "small_cell",
    "complement_small",
    "small_n",
    "wide_interval",
    "wide_relative_interval",
    "secondary",
)
REVIEW_FLAGS: tuple[str, ...] = ("complement_footnote", "review_df", "review_zero_or_full")

MIN_EFFECTIVE_N = 30
MIN_CELL = 5
_NARROW = 0.05
_WIDE = 0.30
_RELATIVE = 1.30
_MIN_DF = 8

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reliability:
    """Whether a proportion may be shown, the first reason if not, and review flags."""

    publishable: bool
    reason: str | None
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    effective_n: float | None
    df: float | None
    low: float | None
    high: float | None
    ci_width: float | None
    relative_ci_width: float | None
    level: float


def small_cell_reason(count: int, group_total: int, *, min_cell: int = MIN_CELL) -> str | None:
    """``small_cell`` for 1..min_cell-1 people, ``complement_small`` within that of the total."""
    c, total = check_counts(count, group_total)
    if 0 < c < min_cell:
        return "small_cell"
    if 0 < total - c < min_cell:
        return "complement_small"
    return None


def suppress_counts(counts: Mapping[K, int], *, min_cell: int = MIN_CELL) -> dict[K, str | None]:
    """Reason to hide each count of one group (None = show), with secondary suppression."""
    values = {key: check_count(v, f"count of {key!r}") for key, v in counts.items()}
    total = sum(values.values())
    reasons = {key: small_cell_reason(v, total, min_cell=min_cell) for key, v in values.items()}
    hidden = [key for key, r in reasons.items() if r is not None]
    if len(hidden) == 1:
        # One hidden cell could be recomputed from the total: hide the next smallest as well.
        candidates = sorted(
            (v, i, key) for i, (key, v) in enumerate(values.items())
            if reasons[key] is None and v > 0
        )
        if candidates:
            reasons[candidates[0][2]] = "secondary"
    return reasons


def assess_proportion(
    successes: int,
    n: int,
    *,
    estimate: float | None = None,
    standard_error: float | None = None,
    df: float | None = None,
    level: float = 0.95,
    check_cells: bool = True,
    min_cell: int = MIN_CELL,
    population: int | None = None,
) -> Reliability:
    """NCHS (2017) reliability standard plus small-cell rules for successes/n (or a weighted p)."""
    x, size = check_counts(successes, n)
    level = check_level(level)
    if population is not None and standard_error is not None:
        raise ValueError("give population for counts or standard_error, not both; "
                         "use assess_weighted for a weighted estimate")
    fpc = finite_population_factor(size, check_population(population, size))
    if size == 0:
        return _no_data(level)
    p = x / size if estimate is None else float(estimate)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"estimate must be between 0 and 1, got {estimate!r}")
    if standard_error is None:
        n_star = math.inf if fpc == 0.0 else size / fpc
    else:
        se = float(standard_error)
        if not (math.isfinite(se) and se >= 0.0):
            raise ValueError(f"standard_error must be a finite number >= 0, got {standard_error!r}")
        n_star = _effective_n(p, se * se)
    degrees = float(size - 1) if df is None else check_positive_df(df)
    return _assess(x, size, p, n_star, fpc, degrees, level, check_cells, min_cell)


def assess_weighted(
    result: WeightedProportion, *, check_cells: bool = True, min_cell: int = MIN_CELL
) -> Reliability:
    """The same standard for a weighted proportion, with its variance, df and FPC factor."""
    if result.no_data or result.estimate is None or result.variance is None:
        return _no_data(result.level)
    n_star = _effective_n(result.estimate, result.variance)
    return _assess(result.successes, result.n, result.estimate, n_star, result.fpc, result.df,
                   result.level, check_cells, min_cell)


def _effective_n(p: float, variance: float) -> float:
    """p (1 - p) / variance; infinite when the variance is 0 (then capped by the caller)."""
    return math.inf if variance <= 0.0 else p * (1 - p) / variance


def _no_data(level: float) -> Reliability:
    return Reliability(
        publishable=False, reason="no_data", reasons=("no_data",), flags=(),
        effective_n=None, df=None, low=None, high=None, ci_width=None,
        relative_ci_width=None, level=level,
    )


def _assess(
    x: int, size: int, p: float, n_star: float, fpc: float, degrees: float, level: float,
    check_cells: bool, min_cell: int,
) -> Reliability:
    reasons: list[str] = []
    if check_cells:
        cell = small_cell_reason(x, size, min_cell=min_cell)
        if cell is not None:
            reasons.append(cell)
    cap = math.inf if fpc == 0.0 else size / fpc
    extreme = x in (0, size) or p in (0.0, 1.0)
    n_eff = cap if extreme else min(cap, n_star)
    n_ci = cap if p == 0.0 else min(cap, n_eff * _df_ratio(size, degrees, level))
    low, high = rate_interval(p, n_ci, level, "clopper-pearson") if n_ci > 0 else (0.0, 1.0)
    width = 0.0 if extreme else high - low
    relative = math.inf if p == 0.0 else width / p
    flags: list[str] = []
    if n_eff < MIN_EFFECTIVE_N:
        reasons.append("small_n")
    elif width <= _NARROW:
        pass
    elif width >= _WIDE:
        reasons.append("wide_interval")
    elif relative > _RELATIVE:
        reasons.append("wide_relative_interval")
    elif p < 1.0 and width / (1 - p) > _RELATIVE:
        flags.append("complement_footnote")
    nchs_ok = not any(r in ("small_n", "wide_interval", "wide_relative_interval") for r in reasons)
    if nchs_ok and degrees < _MIN_DF:
        flags.append("review_df")
    if nchs_ok and extreme:
        flags.append("review_zero_or_full")
    ordered = tuple(r for r in SUPPRESSION_REASONS if r in reasons)
    return Reliability(
        publishable=not ordered, reason=ordered[0] if ordered else None, reasons=ordered,
        flags=tuple(flags), effective_n=n_eff, df=degrees, low=low, high=high,
        ci_width=width, relative_ci_width=relative, level=level,
    )


def _df_ratio(n: int, df: float, level: float) -> float:
    """Korn-Graubard degrees-of-freedom factor (t_{n-1} / t_df)^2; 0 when df <= 0."""
    if df <= 0:
        return 0.0
    if n < 2:
        return 1.0
    alpha = 1.0 - level
    ratio = _dist.t_quantile(alpha / 2, n - 1) / _dist.t_quantile(alpha / 2, df)
    return ratio * ratio
