"""Difference of two proportions: Newcombe's method 10 against statsmodels and the paper."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from surveyapp.stats import difference_ci, proportion_ci

FIXTURES = Path(__file__).parent / "fixtures"
SM = json.loads((FIXTURES / "statsmodels_reference.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "case", SM["difference"], ids=lambda c: f"{c['x1']}/{c['n1']}-{c['x2']}/{c['n2']}@{c['level']}"
)
def test_matches_statsmodels_newcomb(case: dict[str, float]) -> None:
    result = difference_ci(
        int(case["x1"]), int(case["n1"]), int(case["x2"]), int(case["n2"]), level=case["level"]
    )
    assert result.method == "newcombe"
    assert result.low == pytest.approx(case["low"], abs=1e-9)
    assert result.high == pytest.approx(case["high"], abs=1e-9)


# Newcombe RG (1998b) Stat Med 17:873-890, Table II, method 10 (95 %, four decimals).
NEWCOMBE_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_METHOD_10)
def test_newcombe_published_values(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    result = difference_ci(*counts)
    assert result.low == pytest.approx(expected[0], abs=5e-5)
    assert result.high == pytest.approx(expected[1], abs=5e-5)


def test_hybrid_formula_from_wilson_bounds() -> None:
    one, two = proportion_ci(56, 70), proportion_ci(48, 80)
    result = difference_ci(56, 70, 48, 80)
    assert one.low is not None and one.high is not None and two.low is not None
    assert two.high is not None
    d = 0.8 - 0.6
    assert result.estimate == pytest.approx(d)
    assert result.low == pytest.approx(d - math.hypot(0.8 - one.low, two.high - 0.6))
    assert result.high == pytest.approx(d + math.hypot(one.high - 0.8, 0.6 - two.low))


def test_wald_reference() -> None:
    result = difference_ci(56, 70, 48, 80, method="wald")
    half = 1.959963984540054 * math.sqrt(0.8 * 0.2 / 70 + 0.6 * 0.4 / 80)
    assert result.low == pytest.approx(0.2 - half)
    assert result.high == pytest.approx(0.2 + half)
    clipped = difference_ci(10, 10, 0, 1, method="wald")
    assert clipped.low == clipped.high == 1.0


def test_empty_sample_is_no_data() -> None:
    result = difference_ci(0, 0, 3, 10)
    assert result.no_data and result.estimate is None and result.low is None
    assert result.rate1 is None and result.rate2 == 0.3


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((5, 4, 1, 2), {}), ((1, 4, -1, 2), {}), ((1, 4, 1, 2), {"method": "score"}),
     ((1, 4, 1, 2), {"level": 1.5})],
)
def test_invalid(args: tuple[int, int, int, int], kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        difference_ci(*args, **kwargs)  # type: ignore[arg-type]


def test_antisymmetry() -> None:
    ab = difference_ci(9, 10, 3, 10)
    ba = difference_ci(3, 10, 9, 10)
    assert ab.low == pytest.approx(-ba.high) and ab.high == pytest.approx(-ba.low)
