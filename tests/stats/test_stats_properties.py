"""Property tests of the interval methods (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from surveyapp.stats import (
    PROPORTION_METHODS,
    difference_ci,
    proportion_ci,
    wilson_interval_array,
)

# Jeffreys intervals may exclude x/n below a 35 % level; levels of interest are far above.
levels = st.floats(min_value=0.5, max_value=0.999)
methods = st.sampled_from(PROPORTION_METHODS)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 1_000_000) -> tuple[int, int]:
    n = draw(st.one_of(st.integers(1, 30), st.integers(1, max_n)))
    return draw(st.integers(0, n)), n


@st.composite
def counts_with_population(draw: st.DrawFn) -> tuple[int, int, int | None]:
    x, n = draw(counts(max_n=100_000))
    extra = draw(st.one_of(st.none(), st.integers(0, 10 * n)))
    return x, n, None if extra is None else n + extra


@settings(deadline=None)
@given(counts_with_population(), methods, levels)
def test_bounds_are_ordered_within_unit_interval(
    case: tuple[int, int, int | None], method: str, level: float
) -> None:
    x, n, population = case
    result = proportion_ci(x, n, method=method, level=level, population=population)
    assert result.low is not None and result.high is not None and result.estimate is not None
    assert 0.0 <= result.low <= result.estimate <= result.high <= 1.0


@settings(deadline=None)
@given(counts(), methods, levels, levels)
def test_intervals_widen_with_level(
    case: tuple[int, int], method: str, a: float, b: float
) -> None:
    x, n = case
    lower, higher = sorted((a, b))
    narrow = proportion_ci(x, n, method=method, level=lower)
    wide = proportion_ci(x, n, method=method, level=higher)
    assert narrow.low is not None and narrow.high is not None
    assert wide.low is not None and wide.high is not None
    assert wide.low <= narrow.low + 1e-12
    assert wide.high >= narrow.high - 1e-12


@settings(deadline=None)
@given(counts_with_population(), methods, levels)
def test_symmetry_under_complement(
    case: tuple[int, int, int | None], method: str, level: float
) -> None:
    x, n, population = case
    result = proportion_ci(x, n, method=method, level=level, population=population)
    mirror = proportion_ci(n - x, n, method=method, level=level, population=population)
    assert result.low is not None and result.high is not None
    assert mirror.low is not None and mirror.high is not None
    assert mirror.low == pytest.approx(1 - result.high, abs=1e-9)
    assert mirror.high == pytest.approx(1 - result.low, abs=1e-9)


@settings(deadline=None)
@given(counts(max_n=5000), levels)
def test_clopper_pearson_equals_beta_quantiles(case: tuple[int, int], level: float) -> None:
    x, n = case
    result = proportion_ci(x, n, method="clopper-pearson", level=level)
    alpha = 1 - level
    low = 0.0 if x == 0 else stats.beta.ppf(alpha / 2, x, n - x + 1)
    high = 1.0 if x == n else stats.beta.ppf(1 - alpha / 2, x + 1, n - x)
    assert result.low == pytest.approx(low, abs=1e-10)
    assert result.high == pytest.approx(high, abs=1e-10)


@settings(deadline=None)
@given(counts(max_n=10_000), counts(max_n=10_000), levels)
def test_newcombe_difference_is_ordered_and_antisymmetric(
    a: tuple[int, int], b: tuple[int, int], level: float
) -> None:
    ab = difference_ci(a[0], a[1], b[0], b[1], level=level)
    ba = difference_ci(b[0], b[1], a[0], a[1], level=level)
    assert ab.low is not None and ab.high is not None and ab.estimate is not None
    assert -1.0 <= ab.low <= ab.estimate <= ab.high <= 1.0
    assert ba.low == pytest.approx(-ab.high, abs=1e-12)
    assert ba.high == pytest.approx(-ab.low, abs=1e-12)


@settings(deadline=None, max_examples=30)
@given(st.lists(counts(max_n=100_000), min_size=1, max_size=50), levels)
def test_vectorised_wilson_matches_scalar(cases: list[tuple[int, int]], level: float) -> None:
    x = np.array([c[0] for c in cases])
    n = np.array([c[1] for c in cases])
    arrays = wilson_interval_array(x, n, level)
    for i, (xi, ni) in enumerate(cases):
        scalar = proportion_ci(xi, ni, level=level)
        assert arrays.low[i] == pytest.approx(scalar.low, abs=1e-12)
        assert arrays.high[i] == pytest.approx(scalar.high, abs=1e-12)
