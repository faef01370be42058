"""Typed wrappers around the few SciPy routines the statistics core needs.

Keeping every SciPy call here gives the rest of the package precise types whether or not
SciPy's type stubs are installed. SciPy is imported on the first call, not with the package:
importing it takes longer than starting the whole application otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself is imported in the functions: the app starts without it
    import numpy as np
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]


@cache
def _special() -> ModuleType:
    from scipy import special  # type: ignore[import-untyped, unused-ignore]

    return special


@cache
def _optimize() -> ModuleType:
    from scipy import optimize  # type: ignore[import-untyped, unused-ignore]

    return optimize


def normal_quantile(q: float) -> float:
    """Quantile of the standard normal distribution."""
    return float(_special().ndtri(q))


def normal_cdf(z: float) -> float:
    """Cumulative distribution function of the standard normal distribution."""
    return float(_special().ndtr(z))


def normal_sf(z: float) -> float:
    """Upper tail of the standard normal distribution, accurate far into the tail."""
    return float(_special().ndtr(-z))


def two_sided_z(level: float) -> float:
    """Normal critical value for a two-sided interval at `level`."""
    return normal_quantile(1.0 - (1.0 - level) / 2.0)


def t_quantile(q: float, df: float) -> float:
    """Quantile of Student's t distribution (normal when df is infinite)."""
    if math.isinf(df):
        return normal_quantile(q)
    return float(_special().stdtrit(df, q))


def beta_quantile(q: float, a: float, b: float) -> float:
    """Quantile of the Beta(a, b) distribution."""
    return float(_special().betaincinv(a, b, q))


def find_root(f: Callable[[float], float], low: float, high: float) -> float:
    """Root of a continuous function that changes sign on [low, high]."""
    import numpy as np

    return float(_optimize().brentq(f, low, high, xtol=1e-12, rtol=4 * np.finfo(float).eps))
