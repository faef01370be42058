"""Precision planner: sample size, minimum detectable change, n to show a change."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from surveyapp.stats import minimum_detectable_change, sample_size, sample_size_to_detect

Z95 = stats.norm.ppf(0.975)
Z80 = stats.norm.ppf(0.8)


def test_classic_385() -> None:
    plan = sample_size(0.05)
    assert plan.completed == 385 and plan.invitations == 385
    assert plan.n_exact == pytest.approx(Z95**2 * 0.25 / 0.0025)


def test_finite_population_and_response_rate() -> None:
    plan = sample_size(0.05, population=1200, response_rate=0.4)
    n0 = Z95**2 * 0.25 / 0.0025
    assert plan.n_exact == pytest.approx(n0 / (1 + (n0 - 1) / 1200))
    assert plan.completed == 292 and plan.invitations == 730
    # The planned n meets the margin with the correction proportion_ci applies.
    n = plan.completed
    half = Z95 * math.sqrt(0.25 / n * (1200 - n) / (1200 - 1))
    assert half <= 0.05


def test_small_population_is_capped_and_design_effect_inflates() -> None:
    assert sample_size(0.01, population=40).completed <= 40
    assert sample_size(0.05, design_effect=1.5).completed == math.ceil(
        1.5 * Z95**2 * 0.25 / 0.0025
    )


def test_exact_integer_is_not_rounded_up() -> None:
    # z^2 p q / m^2 that is an integer up to representation noise stays that integer.
    margin = math.sqrt(Z95**2 * 0.25 / 400)
    assert sample_size(margin).completed == 400


@pytest.mark.parametrize(
    "kwargs",
    [{"margin": 0}, {"margin": 0.05, "expected": 1.0}, {"margin": 0.05, "response_rate": 0},
     {"margin": 0.05, "level": 1.2}, {"margin": 0.05, "population": 0}],
)
def test_sample_size_rejects(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        sample_size(**kwargs)


def test_85_against_79_2() -> None:
    plan = sample_size_to_detect(0.85, 0.792)
    expected = (Z95 * math.sqrt(0.792 * 0.208) + Z80 * math.sqrt(0.85 * 0.15)) ** 2 / 0.058**2
    assert plan.n_exact == pytest.approx(expected)
    assert plan.completed == 358 and plan.baseline_treated_as == "fixed"
    one_sided = sample_size_to_detect(0.85, 0.792, alternative="one-sided")
    assert one_sided.completed is not None and one_sided.completed < 358


def test_detect_against_sample_baseline() -> None:
    plan = sample_size_to_detect(0.85, 0.792, baseline_n=1000, response_rate=0.5)
    assert plan.achievable and plan.completed is not None and plan.invitations is not None
    assert plan.completed > 358 and plan.invitations == math.ceil(plan.completed / 0.5)
    hopeless = sample_size_to_detect(0.85, 0.792, baseline_n=100)
    assert not hopeless.achievable and hopeless.completed is None


def _power(p0: float, p1: float, n: float, n0: int | None) -> float:
    if n0 is None:
        s0 = math.sqrt(p0 * (1 - p0) / n)
        s1 = math.sqrt(p1 * (1 - p1) / n)
    else:
        pbar = (n * p1 + n0 * p0) / (n + n0)
        s0 = math.sqrt(pbar * (1 - pbar) * (1 / n + 1 / n0))
        s1 = math.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n0)
    return float(stats.norm.cdf((abs(p1 - p0) - Z95 * s0) / s1))


@pytest.mark.parametrize("baseline_n", [None, 800])
def test_minimum_detectable_change_has_the_requested_power(baseline_n: int | None) -> None:
    mdc = minimum_detectable_change(400, 0.284, baseline_n=baseline_n)
    assert mdc.increase is not None and mdc.decrease is not None
    assert _power(0.284, 0.284 + mdc.increase, 400, baseline_n) == pytest.approx(0.8, abs=1e-9)
    assert _power(0.284, 0.284 - mdc.decrease, 400, baseline_n) == pytest.approx(0.8, abs=1e-9)
    assert mdc.baseline_treated_as == ("fixed" if baseline_n is None else "sample")


def test_planner_round_trip() -> None:
    plan = sample_size_to_detect(0.85, 0.792)
    assert plan.completed is not None
    at_n = minimum_detectable_change(plan.completed, 0.792)
    below = minimum_detectable_change(plan.completed - 5, 0.792)
    assert at_n.increase is not None and below.increase is not None
    assert at_n.increase <= 0.058 < below.increase


def test_mdc_none_when_impossible_and_census() -> None:
    tiny = minimum_detectable_change(3, 0.95)
    assert tiny.increase is None
    census = minimum_detectable_change(600, 0.42, population=600)
    assert census.increase == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError):
        minimum_detectable_change(0, 0.5)
    with pytest.raises(ValueError):
        minimum_detectable_change(10, 0.5, power=1.0)
