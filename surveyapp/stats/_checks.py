"""Argument checks shared by the statistics modules; every failure is a ValueError."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself is imported in the functions: the app starts without it
    import numpy as np
    from numpy.typing import ArrayLike, NDArray


def check_level(level: float) -> float:
    """Return `level` as a float, or fail unless 0 < level < 1."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")
    value = float(level)
    if not 0.0 < value < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    return value


def check_count(value: int, name: str) -> int:
    """Return a non-negative whole count as int, or fail."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def check_counts(successes: int, n: int) -> tuple[int, int]:
    """Validate a successes/n pair."""
    x = check_count(successes, "successes")
    total = check_count(n, "n")
    if x > total:
        raise ValueError(f"successes ({x}) cannot exceed n ({total})")
    return x, total


def check_population(population: int | None, n: int) -> int | None:
    """Validate an optional finite population size against the sample size."""
    if population is None:
        return None
    size = check_count(population, "population")
    if size < 1:
        raise ValueError("population must be at least 1")
    if n > size:
        raise ValueError(f"n ({n}) cannot exceed the population size ({size})")
    return size


def check_rate(value: float, name: str, *, open_interval: bool = False) -> float:
    """Return a proportion as float; closed [0, 1] unless `open_interval`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    rate = float(value)
    if math.isnan(rate):
        raise ValueError(f"{name} must not be NaN")
    if open_interval and not 0.0 < rate < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return rate


def check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    """Fail unless `value` is one of `choices`."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; expected one of {allowed}")
    return value


def check_weights(weights: ArrayLike, name: str = "weights") -> NDArray[np.float64]:
    """Return weights as a 1-D float array; fail unless finite, >= 0 and not all zero."""
    import numpy as np

    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    if np.any(array < 0):
        raise ValueError(f"{name} must not be negative")
    if not np.any(array > 0):
        raise ValueError(f"{name} must contain at least one positive value")
    return array


def check_positive_df(df: float, name: str = "df") -> float:
    """Return degrees of freedom as a float; fail unless positive (infinity allowed)."""
    if isinstance(df, bool) or not isinstance(df, numbers.Real):
        raise ValueError(f"{name} must be a number, got {df!r}")
    value = float(df)
    if not value > 0.0:
        raise ValueError(f"{name} must be positive, got {df!r}")
    return value
