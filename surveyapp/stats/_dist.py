"""Typed wrappers around the few SciPy routines the statistics core needs.

Keeping every SciPy call here gives the rest of the package precise types whether or not
SciPy's type stubs are installed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special  # type: ignore[import-untyped, unused-ignore]

FloatArray = NDArray[np.float64]


def normal_quantile(q: float) -> float:
    """Quantile of the standard normal distribution."""
    return float(special.ndtri(q))


def normal_cdf(z: float) -> float:
    """Cumulative distribution function of the standard normal distribution."""
    return float(special.ndtr(z))


def normal_sf(z: float) -> float:
    """Upper tail of the standard normal distribution, accurate far into the tail."""
    return float(special.ndtr(-z))


def two_sided_z(level: float) -> float:
    """Normal critical value for a two-sided interval at `level`."""
    return normal_quantile(1.0 - (1.0 - level) / 2.0)


def t_quantile(q: float, df: float) -> float:
    """Quantile of Student's t distribution (normal when df is infinite)."""
    if math.isinf(df):
        return normal_quantile(q)
    return float(special.stdtrit(df, q))


def beta_quantile(q: float, a: float, b: float) -> float:
    """Quantile of the Beta(a, b) distribution."""
    return float(special.betaincinv(a, b, q))


def find_root(f: Callable[[float], float], low: float, high: float) -> float:
    """Root of a continuous function that changes sign on [low, high]."""
    return float(optimize.brentq(f, low, high, xtol=1e-12, rtol=4 * np.finfo(float).eps))
