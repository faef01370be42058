"""Confidence intervals for the difference p1 - p2 of two independent proportions.

``newcombe`` (default) is the hybrid score interval, method 10 of Newcombe (1998b): with
Wilson bounds (l1, u1) for p1 and (l2, u2) for p2 at the same level,

    low  = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    high = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)

``wald`` is (p1 - p2) +/- z sqrt(p1(1 - p1)/n1 + p2(1 - p2)/n2), clipped to [-1, 1], for
reference only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _dist
from ._checks import check_choice, check_counts, check_level
from .proportions import wilson_bound

DIFFERENCE_METHODS: tuple[str, ...] = ("newcombe", "wald")


@dataclass(frozen=True, slots=True, kw_only=True)
class DifferenceCI:
    """Difference p1 - p2 with its interval; estimate/low/high are None if a sample is empty."""

    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float
    n: int
    n1: int
    n2: int
    successes1: int
    successes2: int
    rate1: float | None
    rate2: float | None
    no_data: bool = False


def difference_ci(
    x1: int,
    n1: int,
    x2: int,
    n2: int,
    *,
    method: str = "newcombe",
    level: float = 0.95,
) -> DifferenceCI:
    """Interval for p1 - p2 from two independent samples (Newcombe hybrid score by default)."""
    a, size1 = check_counts(x1, n1)
    b, size2 = check_counts(x2, n2)
    level = check_level(level)
    check_choice(method, DIFFERENCE_METHODS, "method")
    if size1 == 0 or size2 == 0:
        return DifferenceCI(
            estimate=None, low=None, high=None, method=method, level=level, n=size1 + size2,
            n1=size1, n2=size2, successes1=a, successes2=b,
            rate1=a / size1 if size1 else None, rate2=b / size2 if size2 else None,
            no_data=True,
        )
    p1, p2 = a / size1, b / size2
    low, high = rate_difference_interval(p1, size1, p2, size2, level, method)
    return DifferenceCI(
        estimate=p1 - p2, low=low, high=high, method=method, level=level, n=size1 + size2,
        n1=size1, n2=size2, successes1=a, successes2=b, rate1=p1, rate2=p2,
    )


def rate_difference_interval(
    p1: float, n1: float, p2: float, n2: float, level: float, method: str = "newcombe"
) -> tuple[float, float]:
    """Interval for p1 - p2 from rates on (effective, possibly fractional) sample sizes."""
    z = _dist.two_sided_z(level)
    d = p1 - p2
    if method == "newcombe":
        l1, u1 = _wilson_or_point(p1, n1, z)
        l2, u2 = _wilson_or_point(p2, n2, z)
        low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    elif method == "wald":
        half = z * math.sqrt(_var(p1, n1) + _var(p2, n2))
        low, high = max(-1.0, d - half), min(1.0, d + half)
    else:
        check_choice(method, DIFFERENCE_METHODS, "method")
        raise AssertionError("unreachable")
    return min(low, d), max(high, d)


def _wilson_or_point(p: float, n: float, z: float) -> tuple[float, float]:
    # An infinite effective size (a census) means the rate is known exactly.
    if math.isinf(n):
        return p, p
    return wilson_bound(p, n, z)


def _var(p: float, n: float) -> float:
    return 0.0 if math.isinf(n) else p * (1 - p) / n
