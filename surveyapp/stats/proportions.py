"""Confidence intervals for a single unweighted proportion.

Methods (z is the two-sided normal critical value, p = x/n):

* ``wilson`` (default): the score interval of Wilson (1927), the solutions of
  (p - P)^2 = z^2 P(1 - P) / n.
* ``clopper-pearson``: Beta(a/2; x, n - x + 1) to Beta(1 - a/2; x + 1, n - x), with 0 at x = 0
  and 1 at x = n.
* ``jeffreys``: equal-tailed Beta(x + 1/2, n - x + 1/2) interval with the boundary rule of
  Brown, Cai & DasGupta (2001): lower = 0 at x = 0 and upper = 1 at x = n.
* ``agresti-coull``: n' = n + z^2, p' = (x + z^2/2)/n', p' +/- z sqrt(p'(1 - p')/n'), clipped to
  [0, 1] (Agresti & Coull 1998).
* ``wald``: p +/- z sqrt(p(1 - p)/n), clipped to [0, 1]; for reference only.

Finite population: with ``population=N`` the variance of p is multiplied by the correction
f = (N - n)/(N - 1), the exact factor for the variance of a sample proportion when drawing
without replacement. Every method then runs on the effective sample size n/f with the
effective count p * n/f (possibly fractional): this is the same as multiplying the variance
by f in the Wilson, Agresti-Coull and Wald formulas, and it is the design-effect approach of
Korn & Graubard (1998) for the beta-quantile methods. At n = N the interval collapses to p.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from . import _dist
from ._checks import check_choice, check_counts, check_level, check_population

if TYPE_CHECKING:  # numpy itself is imported in the functions: the app starts without it
    from numpy.typing import ArrayLike

PROPORTION_METHODS: tuple[str, ...] = (
    "wilson",
    "clopper-pearson",
    "jeffreys",
    "agresti-coull",
    "wald",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProportionCI:
    """A proportion with its confidence interval; estimate/low/high are None when n = 0."""

    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float
    n: int
    successes: int
    population: int | None = None
    fpc: float = 1.0
    no_data: bool = False

    @property
    def effective_n(self) -> float | None:
        """Sample size after the finite population correction (n / fpc)."""
        if self.no_data:
            return None
        return math.inf if self.fpc == 0.0 else self.n / self.fpc


class IntervalArrays(NamedTuple):
    """Element-wise estimates and bounds; NaN marks an element with n = 0 (no data)."""

    estimate: _dist.FloatArray
    low: _dist.FloatArray
    high: _dist.FloatArray


def finite_population_factor(n: int, population: int | None) -> float:
    """Variance factor (N - n)/(N - 1) for a sample of n from N; 1 without a population."""
    if population is None:
        return 1.0
    if n >= population:
        return 0.0
    return (population - n) / (population - 1)


def proportion_ci(
    successes: int,
    n: int,
    *,
    method: str = "wilson",
    level: float = 0.95,
    population: int | None = None,
) -> ProportionCI:
    """Confidence interval for successes/n (Wilson by default); n = 0 gives a no-data result."""
    x, total = check_counts(successes, n)
    level = check_level(level)
    check_choice(method, PROPORTION_METHODS, "method")
    size = check_population(population, total)
    if total == 0:
        return ProportionCI(
            estimate=None, low=None, high=None, method=method, level=level, n=0,
            successes=0, population=size, fpc=1.0, no_data=True,
        )
    fpc = finite_population_factor(total, size)
    p = x / total
    low, high = rate_interval(p, total / fpc if fpc > 0.0 else math.inf, level, method)
    return ProportionCI(
        estimate=p, low=low, high=high, method=method, level=level, n=total,
        successes=x, population=size, fpc=fpc,
    )


def rate_interval(p: float, n_eff: float, level: float, method: str) -> tuple[float, float]:
    """Interval for an observed rate p on an effective sample size n_eff (may be fractional)."""
    if math.isinf(n_eff):
        return p, p
    z = _dist.two_sided_z(level)
    alpha = 1.0 - level
    if method == "wilson":
        low, high = _wilson(p, n_eff, z)
    elif method == "clopper-pearson":
        x = p * n_eff
        low = 0.0 if p == 0.0 else _dist.beta_quantile(alpha / 2, x, n_eff - x + 1)
        high = 1.0 if p == 1.0 else _dist.beta_quantile(1 - alpha / 2, x + 1, n_eff - x)
    elif method == "jeffreys":
        x = p * n_eff
        low = 0.0 if p == 0.0 else _dist.beta_quantile(alpha / 2, x + 0.5, n_eff - x + 0.5)
        high = 1.0 if p == 1.0 else _dist.beta_quantile(1 - alpha / 2, x + 0.5, n_eff - x + 0.5)
    elif method == "agresti-coull":
        n_tilde = n_eff + z * z
        p_tilde = (p * n_eff + z * z / 2) / n_tilde
        half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
        low, high = p_tilde - half, p_tilde + half
    elif method == "wald":
        half = z * math.sqrt(p * (1 - p) / n_eff)
        low, high = p - half, p + half
    else:
        check_choice(method, PROPORTION_METHODS, "method")
        raise AssertionError("unreachable")
    # Clip to [0, 1] and absorb rounding so that low <= p <= high always holds.
    return max(0.0, min(low, p)), min(1.0, max(high, p))


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if p == 0.0 else center - half
    high = 1.0 if p == 1.0 else center + half
    return low, high


def wilson_bound(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score bounds for rate p on (effective) size n at critical value z."""
    low, high = _wilson(p, n, z)
    return max(0.0, min(low, p)), min(1.0, max(high, p))


def wilson_interval_array(
    successes: ArrayLike,
    n: ArrayLike,
    level: float = 0.95,
    *,
    population: ArrayLike | None = None,
) -> IntervalArrays:
    """Vectorised Wilson intervals for arrays of counts; n = 0 gives NaN (no data)."""
    import numpy as np

    level = check_level(level)
    x = np.asarray(successes)
    total = np.asarray(n)
    if not (np.issubdtype(x.dtype, np.integer) and np.issubdtype(total.dtype, np.integer)):
        raise ValueError("successes and n must be arrays of whole numbers")
    x, total = np.broadcast_arrays(x.astype(np.float64), total.astype(np.float64))
    if np.any(x < 0) or np.any(total < 0):
        raise ValueError("successes and n must not be negative")
    if np.any(x > total):
        raise ValueError("successes cannot exceed n")
    fpc = np.ones_like(total)
    if population is not None:
        sizes = np.asarray(population)
        if not np.issubdtype(sizes.dtype, np.integer):
            raise ValueError("population must be an array of whole numbers")
        pop = np.broadcast_to(sizes.astype(np.float64), total.shape)
        if np.any(pop < 1) or np.any(total > pop):
            raise ValueError("population must be at least 1 and not smaller than n")
        with np.errstate(divide="ignore", invalid="ignore"):
            fpc = np.where(total >= pop, 0.0, (pop - total) / (pop - 1))
    z = _dist.two_sided_z(level)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / total
        n_eff = total / fpc
        denom = 1 + z2 / n_eff
        center = (p + z2 / (2 * n_eff)) / denom
        half = z * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff)) / denom
        low = np.where(p == 0.0, 0.0, center - half)
        high = np.where(p == 1.0, 1.0, center + half)
        low = np.where(fpc == 0.0, p, np.clip(np.minimum(low, p), 0.0, 1.0))
        high = np.where(fpc == 0.0, p, np.clip(np.maximum(high, p), 0.0, 1.0))
    no_data = total == 0
    nan = np.float64(np.nan)
    return IntervalArrays(
        estimate=np.where(no_data, nan, p),
        low=np.where(no_data, nan, low),
        high=np.where(no_data, nan, high),
    )
