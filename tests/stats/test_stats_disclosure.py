"""NCHS (2017) presentation standards for proportions and small-cell suppression."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from surveyapp.stats import (
    assess_proportion,
    assess_weighted,
    proportion_ci,
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
    for kwargs in ({"standard_error": math.nan}, {"standard_error": -0.1},
                   {"standard_error": math.inf}, {"df": 0}, {"df": math.nan},
                   {"population": 3}, {"population": 20, "standard_error": 0.05}):
        with pytest.raises(ValueError):
            assess_proportion(2, 10, **kwargs)  # type: ignore[arg-type]


# --- finite population: the effective-n rule on n / f -------------------------------------


def test_census_of_a_12_attendee_course_is_not_suppressed_for_small_n() -> None:
    sampled = assess_proportion(6, 12)
    assert sampled.reason == "small_n"  # as a sample of an unknown population: too few
    census = assess_proportion(6, 12, population=12)
    assert census.publishable and census.reasons == () and census.flags == ()
    assert census.effective_n is not None and math.isinf(census.effective_n)
    assert census.ci_width == 0.0 and census.low == census.high == 0.5
    # The 1-4 rule still applies to what is published: 10 of 12 leaves 2 people.
    ten = assess_proportion(10, 12, population=12)
    assert ten.reasons == ("complement_small",) and "small_n" not in ten.reasons
    assert assess_proportion(10, 12, population=12, check_cells=False).publishable


def test_fpc_effective_n_is_the_interval_effective_n() -> None:
    # 10 of 12 attendees answered (5 yes): n/f = 10 * 11 / 2 = 55, as proportion_ci uses.
    result = assess_proportion(5, 10, population=12)
    interval = proportion_ci(5, 10, population=12)
    assert result.effective_n == pytest.approx(55.0) == interval.effective_n
    assert "small_n" not in result.reasons
    # Clopper-Pearson on 55 (width about 0.27 < 0.30, relative < 130 %): presented.
    assert result.publishable and 0.05 < (result.ci_width or 0) < 0.30
    # A sampling fraction that hardly matters changes nothing.
    big = assess_proportion(5, 10, population=10_000_000)
    assert big.reason == "small_n" and big.effective_n == pytest.approx(10.0, rel=1e-5)


def test_weighted_fpc_uses_the_same_rule() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(24) < 0.5).astype(int)
    w = rng.choice([1.0, 2.0], size=24)
    plain = assess_weighted(weighted_proportion(y, w))
    assert plain.reason == "small_n"
    near_census = weighted_proportion(y, w, population=25)
    result = assess_weighted(near_census)
    assert near_census.effective_n is not None and result.effective_n is not None
    assert result.effective_n == pytest.approx(min(24 / near_census.fpc, near_census.effective_n))
    assert result.effective_n >= 30 and "small_n" not in result.reasons
    census = assess_weighted(weighted_proportion(y, w, population=24))
    assert census.effective_n is not None and math.isinf(census.effective_n)
    assert census.ci_width == 0.0
    same = assess_proportion(int(y.sum()), 24, estimate=near_census.estimate,
                             standard_error=near_census.standard_error, df=near_census.df)
    assert same.effective_n is not None and same.effective_n <= 24  # no factor: capped at n
    empty = assess_weighted(weighted_proportion([0, 1], [1, 1], in_base=np.array([False] * 2)))
    assert empty.reason == "no_data"
