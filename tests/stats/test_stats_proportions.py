"""Single-proportion intervals against statsmodels, R's survey package and Newcombe (1998a)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from surveyapp.stats import (
    PROPORTION_METHODS,
    ProportionCI,
    finite_population_factor,
    proportion_ci,
    wilson_interval_array,
)

FIXTURES = Path(__file__).parent / "fixtures"
SM = json.loads((FIXTURES / "statsmodels_reference.json").read_text(encoding="utf-8"))
R = json.loads((FIXTURES / "r_survey_reference.json").read_text(encoding="utf-8"))


def _sm_id(case: dict[str, object]) -> str:
    return f"{case['method']}-{case['successes']}/{case['n']}@{case['level']}"


@pytest.mark.parametrize("case", SM["single"], ids=_sm_id)
def test_matches_statsmodels(case: dict[str, float]) -> None:
    x, n, method, level = int(case["successes"]), int(case["n"]), str(case["method"]), case["level"]
    result = proportion_ci(x, n, method=method, level=level)
    assert result.estimate == pytest.approx(x / n, abs=1e-15)
    low, high = case["low"], case["high"]
    if method == "jeffreys" and x == 0:
        # Deliberate difference: statsmodels' Jeffreys lacks the Brown-Cai-DasGupta boundary
        # rule; we set the lower limit to 0 at x = 0 (its upper limit is the same).
        assert result.low == 0.0 and low > 0.0
        low = 0.0
    if method == "jeffreys" and x == n:
        assert result.high == 1.0 and high < 1.0
        high = 1.0
    assert result.low == pytest.approx(low, abs=1e-9)
    assert result.high == pytest.approx(high, abs=1e-9)


# Newcombe RG (1998a) Stat Med 17:857-872, Table I (95 %, four decimals).
NEWCOMBE_SINGLE = {
    # (x, n): {method: (low, high)}; method 1 = Wald, 3 = Wilson score, 5 = Clopper-Pearson
    (81, 263): {"wald": (0.2522, 0.3638), "wilson": (0.2553, 0.3662),
                "clopper-pearson": (0.2527, 0.3676)},
    (15, 148): {"wald": (0.0527, 0.1500), "wilson": (0.0624, 0.1605),
                "clopper-pearson": (0.0578, 0.1617)},
    (0, 20): {"wald": (0.0000, 0.0000), "wilson": (0.0000, 0.1611),
              "clopper-pearson": (0.0000, 0.1684)},
    # (The Wald interval for 1/29 starts below 0, an aberration we clip; not compared.)
    (1, 29): {"wilson": (0.0061, 0.1718), "clopper-pearson": (0.0009, 0.1776)},
}


@pytest.mark.parametrize(("x", "n"), list(NEWCOMBE_SINGLE))
def test_newcombe_published_examples(x: int, n: int) -> None:
    for method, (low, high) in NEWCOMBE_SINGLE[(x, n)].items():
        result = proportion_ci(x, n, method=method)
        assert result.low == pytest.approx(low, abs=5e-5), method
        assert result.high == pytest.approx(high, abs=5e-5), method


def test_default_is_wilson_95() -> None:
    result = proportion_ci(79, 100)
    assert result.method == "wilson" and result.level == 0.95
    assert (result.n, result.successes, result.population, result.fpc) == (100, 79, None, 1.0)


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_zero_and_full(method: str) -> None:
    zero = proportion_ci(0, 12, method=method)
    full = proportion_ci(12, 12, method=method)
    assert zero.estimate == 0.0 and zero.low == 0.0
    assert full.estimate == 1.0 and full.high == 1.0
    if method != "wald":
        assert zero.high is not None and zero.high > 0.0
        assert full.low is not None and full.low < 1.0


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_no_data_is_explicit(method: str) -> None:
    result = proportion_ci(0, 0, method=method, population=50)
    assert result.no_data
    assert (result.estimate, result.low, result.high) == (None, None, None)
    assert result.effective_n is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((5, 4), {}, "cannot exceed n"),
        ((-1, 4), {}, "negative"),
        ((1, -4), {}, "negative"),
        ((1.5, 4), {}, "whole number"),
        ((1, 4), {"level": 1.0}, "level"),
        ((1, 4), {"level": 0.0}, "level"),
        ((1, 4), {"level": 95}, "level"),
        ((1, 4), {"method": "exact"}, "unknown method"),
        ((1, 40), {"population": 30}, "population"),
        ((1, 4), {"population": 0}, "population"),
    ],
)
def test_invalid_arguments(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion_ci(*args, **kwargs)  # type: ignore[arg-type]


def test_result_is_frozen() -> None:
    result = proportion_ci(3, 10)
    with pytest.raises(AttributeError):
        result.low = 0.0  # type: ignore[misc]
    assert isinstance(result, ProportionCI)


def test_clopper_pearson_is_beta_quantiles() -> None:
    result = proportion_ci(7, 31, method="clopper-pearson", level=0.9)
    assert result.low == pytest.approx(stats.beta.ppf(0.05, 7, 25), abs=1e-12)
    assert result.high == pytest.approx(stats.beta.ppf(0.95, 8, 24), abs=1e-12)


# --- finite population ---------------------------------------------------------------------


@pytest.mark.parametrize("case", R["fpc"], ids=lambda c: f"{c['successes']}/{c['n']}of{c['population']}")
def test_fpc_wald_variance_matches_r_survey(case: dict[str, float]) -> None:
    x, n, big_n = int(case["successes"]), int(case["n"]), int(case["population"])
    result = proportion_ci(x, n, method="wald", population=big_n)
    assert result.low is not None and result.high is not None
    z = stats.norm.ppf(0.975)
    ours = (result.high - result.low) / (2 * z)
    # Deliberate difference: R's svymean with fpc estimates Var(p) by (1 - n/N) p(1-p)/(n-1)
    # (unbiased S^2 with f = n/N); we use p(1-p)/n * (N-n)/(N-1), the variance formula that
    # the score and exact intervals invert. The two differ by the known factor below.
    factor = math.sqrt(n * (big_n - 1) / (big_n * (n - 1)))
    assert case["mean"] == pytest.approx(x / n, abs=1e-12)
    assert ours * factor == pytest.approx(case["se"], rel=1e-9)


@pytest.mark.parametrize("fraction", [0.01, 0.2, 0.5])
@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_fpc_is_effective_n(fraction: float, method: str) -> None:
    n, x = 200, 37
    big_n = round(n / fraction)
    f = (big_n - n) / (big_n - 1)
    result = proportion_ci(x, n, method=method, population=big_n)
    assert result.fpc == pytest.approx(f) == finite_population_factor(n, big_n)
    assert result.effective_n == pytest.approx(n / f)
    plain = proportion_ci(x, n, method=method)
    assert plain.low is not None and plain.high is not None
    assert result.low is not None and result.high is not None
    assert plain.low <= result.low <= x / n <= result.high <= plain.high
    if method == "wilson":
        # The Wilson bounds solve (p - P)^2 = z^2 P (1 - P) f / n.
        z = stats.norm.ppf(0.975)
        for bound in (result.low, result.high):
            assert (x / n - bound) ** 2 == pytest.approx(z * z * bound * (1 - bound) * f / n)


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_census_collapses_to_the_point(method: str) -> None:
    result = proportion_ci(42, 60, method=method, population=60)
    assert result.fpc == 0.0 and result.effective_n == math.inf
    assert result.low == result.high == result.estimate == 42 / 60


def test_one_percent_sample_barely_changes() -> None:
    plain = proportion_ci(370, 2000)
    fpc = proportion_ci(370, 2000, population=200_000)
    assert plain.low is not None and fpc.low is not None
    assert abs(plain.low - fpc.low) < 1e-4


# --- vectorised Wilson ---------------------------------------------------------------------


def test_vectorised_wilson_equals_scalar() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(0, 400, size=500)
    x = rng.integers(0, n + 1)
    for level in (0.9, 0.95, 0.99):
        arrays = wilson_interval_array(x, n, level)
        for i in range(n.size):
            scalar = proportion_ci(int(x[i]), int(n[i]), level=level)
            if scalar.no_data:
                assert math.isnan(arrays.low[i]) and math.isnan(arrays.estimate[i])
                continue
            assert arrays.estimate[i] == pytest.approx(scalar.estimate, abs=1e-15)
            assert arrays.low[i] == pytest.approx(scalar.low, abs=1e-12)
            assert arrays.high[i] == pytest.approx(scalar.high, abs=1e-12)


def test_vectorised_wilson_with_population() -> None:
    x = np.array([0, 5, 30, 60])
    n = np.array([60, 60, 60, 60])
    arrays = wilson_interval_array(x, n, 0.95, population=np.array([600, 120, 61, 60]))
    for i, big_n in enumerate((600, 120, 61, 60)):
        scalar = proportion_ci(int(x[i]), 60, population=big_n)
        assert arrays.low[i] == pytest.approx(scalar.low, abs=1e-12)
        assert arrays.high[i] == pytest.approx(scalar.high, abs=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [([3], [2], "exceed"), ([-1], [2], "negative"), ([0.5], [2], "whole")],
)
def test_vectorised_wilson_rejects_bad_counts(x: list[float], n: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval_array(np.array(x), np.array(n))
