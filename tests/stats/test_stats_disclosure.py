"""NCHS (2017) presentation standards for proportions and small-cell suppression."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from surveyapp.stats import (
    assess_proportion,
    small_cell_reason,
    suppress_counts,
    weighted_proportion,
)


@pytest.mark.parametrize(
    ("count", "total", "reason"),
    [(0, 50, None), (1, 50, "small_cell"), (4, 50, "small_cell"), (5, 50, None),
     (46, 50, "complement_small"), (49, 50, "complement_small"), (50, 50, None),
     (45, 50, None), (3, 3, "small_cell"), (0, 3, "complement_small")],
)
def test_small_cell_reason(count: int, total: int, reason: str | None) -> None:
    assert small_cell_reason(count, total) == reason


def test_suppress_counts_adds_secondary() -> None:
    assert suppress_counts({"a": 3, "b": 40, "c": 10, "d": 0}) == {
        "a": "small_cell", "b": None, "c": "secondary", "d": None,
    }
    assert suppress_counts({"a": 3, "b": 2, "c": 40}) == {
        "a": "small_cell", "b": "small_cell", "c": None,
    }
    assert suppress_counts({"a": 20, "b": 30}) == {"a": None, "b": None}


def test_no_data() -> None:
    result = assess_proportion(0, 0)
    assert not result.publishable and result.reason == "no_data" and result.ci_width is None


def test_small_effective_n() -> None:
    result = assess_proportion(10, 29)
    assert result.reason == "small_n" and result.effective_n == 29


def test_wide_absolute_interval() -> None:
    result = assess_proportion(20, 40)
    assert result.reason == "wide_interval" and result.ci_width is not None
    assert result.ci_width >= 0.30
    # The interval is Clopper-Pearson (Korn-Graubard with n* = n).
    assert result.low == pytest.approx(stats.beta.ppf(0.025, 20, 21))


def test_narrow_interval_is_shown_whatever_its_relative_width() -> None:
    result = assess_proportion(5, 300)
    assert result.publishable and result.ci_width is not None and result.ci_width <= 0.05
    assert result.relative_ci_width is not None and result.relative_ci_width > 1.3


def test_wide_relative_interval() -> None:
    result = assess_proportion(8, 100)
    assert result.ci_width is not None and 0.05 < result.ci_width < 0.30
    assert result.relative_ci_width is not None and result.relative_ci_width > 1.3
    assert result.reason == "wide_relative_interval"


def test_complement_footnote() -> None:
    result = assess_proportion(92, 100)
    assert result.publishable and "complement_footnote" in result.flags


def test_zero_and_full_are_flagged_for_review() -> None:
    for x in (0, 120):
        result = assess_proportion(x, 120)
        assert result.publishable and result.ci_width == 0.0
        assert result.flags == ("review_zero_or_full",)


def test_degrees_of_freedom_review() -> None:
    result = assess_proportion(60, 120, df=5)
    plain = assess_proportion(60, 120)
    assert result.publishable and result.flags == ("review_df",) and plain.flags == ()
    # With 5 df the Korn-Graubard effective n shrinks by (t_119 / t_5)^2.
    ratio = (stats.t.ppf(0.025, 119) / stats.t.ppf(0.025, 5)) ** 2
    assert result.low == pytest.approx(stats.beta.ppf(0.025, 60 * ratio, 60 * ratio + 1))
    assert result.ci_width is not None and plain.ci_width is not None
    assert result.ci_width > plain.ci_width


def test_small_cell_and_reliability_reasons_combine() -> None:
    result = assess_proportion(3, 40)
    assert result.reason == "small_cell"
    assert result.reasons == ("small_cell", "wide_relative_interval")
    relaxed = assess_proportion(3, 40, check_cells=False)
    assert relaxed.reason == "wide_relative_interval"


def test_weighted_estimate_uses_design_effective_n() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(200) < 0.3).astype(int)
    w = rng.choice([1.0, 6.0], size=200)
    weighted = weighted_proportion(y, w)
    assert weighted.standard_error is not None
    result = assess_proportion(int(y.sum()), 200, estimate=weighted.estimate,
                               standard_error=weighted.standard_error, df=weighted.df)
    assert result.effective_n == pytest.approx(weighted.effective_n)
    assert result.effective_n is not None and result.effective_n < 200
    capped = assess_proportion(60, 200, estimate=0.3, standard_error=0.01)
    assert capped.effective_n == 200


def test_invalid() -> None:
    with pytest.raises(ValueError):
        assess_proportion(5, 4)
    with pytest.raises(ValueError):
        assess_proportion(1, 4, estimate=1.5)
