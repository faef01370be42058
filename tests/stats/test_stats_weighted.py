"""Weighted estimates of a small known population (R's fpc=), the weighted change against a
baseline (statsmodels' Newcombe on R's effective n), refused unconverged weights, the Kish
effective n and the validation of weights."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from surveyapp.stats import (
    CalibrationError,
    WeightingError,
    WeightingResult,
    assess_weighted,
    calibration_residuals,
    compare_weighted_to_baseline,
    kish_design_effect,
    poststratify,
    rake,
    weighted_proportion,
    weighted_target_verdict,
    wilson_interval_array,
)
from surveyapp.stats.proportions import rate_interval

FIXTURES = Path(__file__).parent / "fixtures"
DATA = json.loads((FIXTURES / "weighting_data.json").read_text(encoding="utf-8"))
R_ALL = json.loads((FIXTURES / "r_survey_reference.json").read_text(encoding="utf-8"))
CHANGE = json.loads((FIXTURES / "weighted_change_reference.json").read_text(encoding="utf-8"))
RESP = DATA["respondents"]
POP = DATA["population"]
SATISFIED = np.array(RESP["satisfied"])
USERS = np.array(RESP["uses_transit"]) == 1
DISSATISFIED = np.array(RESP["transit_dissatisfied"])
N_SMALL = 1350
TOTAL = sum(c["total"] for c in POP["cells"])


def _weighting(group: str, design: str) -> WeightingResult | None:
    """Our weights for an R design of the fixture (group 'weighting' or 'weighting_fpc')."""
    scale = N_SMALL / TOTAL if group == "weighting_fpc" else 1.0
    if design == "unweighted":
        return None
    if design == "poststratify":
        cells = {(c["age"], c["gender"]): c["total"] * scale for c in POP["cells"]}
        return poststratify(list(zip(RESP["age"], RESP["gender"], strict=True)), cells)
    names = ["age", "gender"] + (["area"] if design.endswith("area") else [])
    margins = {k: {label: v * scale for label, v in POP[k].items()} for k in names}
    return rake({k: RESP[k] for k in names}, margins, tol=1e-13)


def _estimate(group: str, design: str, variable: str, **kwargs: Any) -> Any:
    weighting = _weighting(group, design)
    population = N_SMALL if group == "weighting_fpc" else None
    if weighting is None:
        weights = np.full(SATISFIED.size, N_SMALL / SATISFIED.size if population else 1.0)
    else:
        weights = weighting.weights
    if variable == "satisfied":
        return weighted_proportion(SATISFIED, weights, calibration=weighting,
                                   population=population, **kwargs)
    return weighted_proportion(DISSATISFIED, weights, calibration=weighting, in_base=USERS,
                               population=population, **kwargs)


# --- finite population correction against R's svydesign(fpc = ~N) -------------------------

FPC_DESIGNS = list(R_ALL["weighting_fpc"])
VARIABLES = ["satisfied", "transit_dissatisfied_among_users"]


@pytest.mark.parametrize("design", FPC_DESIGNS)
def test_fpc_weights_match_r(design: str) -> None:
    weighting = _weighting("weighting_fpc", design)
    reference = R_ALL["weighting_fpc"][design]["weights"]
    if weighting is None:
        np.testing.assert_allclose(reference, N_SMALL / SATISFIED.size, rtol=1e-12)
    else:
        np.testing.assert_allclose(weighting.weights, reference, rtol=1e-9)
        assert weighting.population_total == pytest.approx(N_SMALL)


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("design", FPC_DESIGNS)
def test_fpc_estimate_se_deff_and_intervals_match_r(design: str, variable: str) -> None:
    ref = R_ALL["weighting_fpc"][design][variable]
    result = _estimate("weighting_fpc", design, variable)
    assert result.population == N_SMALL
    assert result.fpc == pytest.approx(1 - SATISFIED.size / N_SMALL, abs=1e-15)
    assert result.estimate == pytest.approx(ref["mean"], abs=1e-12)
    assert result.standard_error == pytest.approx(ref["se"], rel=1e-9)
    if variable == "satisfied":
        assert result.deff == pytest.approx(ref["deff"], rel=1e-9)
    # The correction matters here: without it the standard error is larger by 1/sqrt(1 - n/N).
    plain = _estimate("weighting", design, variable)
    if design == "unweighted":
        assert plain.standard_error == pytest.approx(
            R_ALL["weighting"]["unweighted"][variable]["se"], rel=1e-9)
    else:
        assert result.standard_error == pytest.approx(
            plain.standard_error * math.sqrt(result.fpc), rel=1e-9)
    domain_of_calibrated = variable != "satisfied" and design != "unweighted"
    for row in ref["intervals"]:
        level = row["level"]
        logit = _estimate("weighting_fpc", design, variable, level=level, method="logit")
        assert [logit.low, logit.high] == pytest.approx(row["logit"], abs=1e-9)
        kg = _estimate("weighting_fpc", design, variable, level=level, method="korn-graubard")
        if domain_of_calibrated:
            # R's factor with the whole sample's nrow (documented in the README).
            a = 1 - level
            ratio = stats.t.ppf(a / 2, ref["nrow"] - 1) / stats.t.ppf(a / 2, ref["degf"])
            r_like = rate_interval(kg.estimate, kg.effective_n * ratio**2, level,
                                   "clopper-pearson")
            assert list(r_like) == pytest.approx(row["beta"], abs=1e-9)
        else:
            assert [kg.low, kg.high] == pytest.approx(row["beta"], abs=1e-9)


@pytest.mark.parametrize("case", R_ALL["fpc"], ids=lambda c: f"{c['successes']}/{c['n']}of{c['population']}")
def test_equal_weights_with_population_match_svymean_fpc(case: dict[str, Any]) -> None:
    x, n, big_n = int(case["successes"]), int(case["n"]), int(case["population"])
    y = np.r_[np.ones(x), np.zeros(n - x)]
    result = weighted_proportion(y, np.full(n, big_n / n), population=big_n)
    assert result.estimate == pytest.approx(case["mean"], abs=1e-15)
    assert result.standard_error == pytest.approx(case["se"], rel=1e-9)


def test_a_weighted_census_has_no_sampling_error() -> None:
    weighting = _weighting("weighting", "poststratify")
    assert weighting is not None
    n = SATISFIED.size
    census = weighted_proportion(SATISFIED, weighting.weights, calibration=weighting,
                                 population=n)
    assert census.fpc == 0.0 and census.standard_error == 0.0
    assert census.low == census.high == census.estimate
    assert math.isinf(census.effective_n) and census.note is not None
    # The Kish figures describe the weights alone and stay those of the sample.
    assert census.kish_effective_n == pytest.approx(weighting.kish_effective_n)
    reliability = assess_weighted(census)
    assert reliability.publishable and math.isinf(reliability.effective_n or 0.0)
    verdict = weighted_target_verdict(SATISFIED, weighting.weights, target=0.27,
                                      calibration=weighting, population=n)
    assert verdict.verdict == "reached" and verdict.bound == census.estimate
    with pytest.raises(ValueError, match="population"):
        weighted_proportion(SATISFIED, weighting.weights, population=n - 1)


def test_fpc_at_zero_estimate_uses_kish_n_over_the_factor() -> None:
    n = 40
    result = weighted_proportion(np.zeros(n), np.ones(n), population=50)
    expected = rate_interval(0.0, n / (1 - n / 50), 0.95, "clopper-pearson")
    assert result.method == "korn-graubard" and result.effective_n == pytest.approx(200.0)
    assert (result.low, result.high) == pytest.approx(expected)


# --- weighted change against the baseline ------------------------------------------------

CHANGE_IDS = [f"{c['group']}-{c['design']}-{c['variable'][:9]}-{c['baseline_rate']}"
              f"-{c['baseline_n']}-{c['level']}" for c in CHANGE["cases"]]


@pytest.mark.parametrize("case", CHANGE["cases"], ids=CHANGE_IDS)
def test_weighted_change_matches_statsmodels_newcombe_on_r_effective_n(
    case: dict[str, Any],
) -> None:
    result = _estimate(case["group"], case["design"], case["variable"], level=case["level"])
    # R's rake() approximates the raking residuals (see the README): 1e-6 there, else 1e-9.
    tol = 1e-6 if case["design"].startswith("rake_") else 1e-9
    assert result.effective_n == pytest.approx(case["effective_n"], rel=tol)
    change = compare_weighted_to_baseline(
        result, baseline_rate=case["baseline_rate"], baseline_n=case["baseline_n"],
        direction="up")
    assert change.estimate == pytest.approx(case["mean"] - case["baseline_rate"], abs=1e-12)
    assert [change.low, change.high] == pytest.approx([case["low"], case["high"]], abs=tol)
    assert change.effective_n == result.effective_n and change.level == case["level"]
    if case["baseline_n"] is None:
        assert change.method == "score-neff" and change.baseline_treated_as == "fixed"
        assert change.p_value == pytest.approx(case["p_value"], rel=1e-6 if tol > 1e-9 else 1e-9)
    else:
        assert change.method == "newcombe-neff" and change.p_value is None
    assert change.change == ("increased" if change.low > 0 else
                             "decreased" if change.high < 0 else "no_detectable_change")


def test_weighted_change_verdicts_and_edge_cases() -> None:
    weighting = _weighting("weighting", "poststratify")
    assert weighting is not None
    result = weighted_proportion(SATISFIED, weighting.weights, calibration=weighting)
    assert result.estimate is not None
    up = compare_weighted_to_baseline(result, baseline_rate=0.20, baseline_n=800,
                                      direction="up")
    assert up.change == "increased" and up.assessment == "improved"
    down = compare_weighted_to_baseline(result, baseline_rate=0.20, baseline_n=800,
                                        direction="down")
    assert down.assessment == "declined"
    same = compare_weighted_to_baseline(result, baseline_rate=round(result.estimate, 2))
    assert same.change == "no_detectable_change" and same.assessment is None
    # The change interval is wider than the current rate's own interval minus a known
    # baseline: the baseline's sampling error is added.
    fixed = compare_weighted_to_baseline(result, baseline_rate=0.20)
    assert up.low is not None and fixed.low is not None and up.high is not None
    assert fixed.high is not None and up.high - up.low > fixed.high - fixed.low
    census = weighted_proportion(SATISFIED, weighting.weights, calibration=weighting,
                                 population=SATISFIED.size)
    exact = compare_weighted_to_baseline(census, baseline_rate=0.20)
    assert exact.low == exact.high == pytest.approx(census.estimate - 0.20)
    empty = weighted_proportion([0, 1], [1.0, 2.0], in_base=np.array([False, False]))
    none = compare_weighted_to_baseline(empty, baseline_rate=0.2, baseline_n=100)
    assert none.no_data and none.estimate is None and none.change is None
    for bad in ({"baseline_rate": 1.2}, {"baseline_rate": math.nan},
                {"baseline_rate": 0.2, "baseline_n": 0}, {"baseline_rate": 0.2, "direction": "x"}):
        with pytest.raises(ValueError):
            compare_weighted_to_baseline(result, **bad)


# --- calibration that cannot meet its totals ---------------------------------------------

# Every 18-29 respondent is a woman, so the weighted women are at least the 18-29 total
# (1000) while the population has only 600 women: no weights can meet both margins.
CONFLICT_SAMPLE = {"age": ["18_29"] * 4 + ["30_over"] * 6,
                   "gender": ["female"] * 4 + ["female", "male"] * 3}
CONFLICT_MARGINS = {"age": {"18_29": 1000.0, "30_over": 2000.0},
                    "gender": {"female": 600.0, "male": 2400.0}}


def test_conflicting_margins_raise_a_named_calibration_error() -> None:
    with pytest.raises(CalibrationError) as info:
        rake(CONFLICT_SAMPLE, CONFLICT_MARGINS)
    error = info.value
    assert isinstance(error, WeightingError) and isinstance(error, ValueError)
    assert (error.variable, error.category) in {("gender", "female"), ("age", "18_29")}
    assert error.misfit > 0.1 and error.iterations == 100
    assert repr(error.category) in str(error) and repr(error.variable) in str(error)
    assert "merge" in str(error) and "population table" in str(error)
    target = CONFLICT_MARGINS[error.variable][error.category]
    assert error.target == target
    assert abs(error.achieved - target) / target == pytest.approx(error.misfit)
    assert not error.result.converged and error.result.max_margin_error == error.misfit
    # The unconverged weights can never make a published number.
    y = np.array([1, 0] * 5)
    with pytest.raises(WeightingError, match="do not meet the population totals"):
        weighted_proportion(y, error.result.weights, calibration=error.result)
    with pytest.raises(WeightingError):
        weighted_target_verdict(y, error.result.weights, target=0.5, calibration=error.result)


def test_consistent_margins_of_the_same_sample_converge() -> None:
    margins = {"age": {"18_29": 1000.0, "30_over": 2000.0},
               "gender": {"female": 1800.0, "male": 1200.0}}
    result = rake(CONFLICT_SAMPLE, margins)
    assert result.converged and result.max_margin_error <= 1e-8


# --- Kish effective n: same base as n, never above it ------------------------------------


def test_kish_effective_n_uses_the_base_and_never_exceeds_n() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(2, 400))
        weights = rng.gamma(shape=rng.uniform(0.3, 5.0), size=n) + 1e-9
        y = rng.integers(0, 2, size=n)
        base = rng.random(n) < rng.uniform(0.2, 1.0)
        result = weighted_proportion(y, weights, in_base=base)
        if result.no_data:
            continue
        assert result.kish_effective_n is not None and result.kish_deff is not None
        assert result.kish_deff >= 1.0 - 1e-12
        assert result.kish_effective_n <= result.n * (1 + 1e-12)
        assert result.kish_effective_n * result.kish_deff == pytest.approx(result.n)
        assert result.kish_deff == pytest.approx(kish_design_effect(weights[base]))


def test_variance_based_effective_n_can_exceed_n_after_post_stratification() -> None:
    # Post-stratification removes the between-cell part of the variance, so p(1-p)/V can be
    # larger than n although the Kish effective n is below it: the two are not the same figure.
    # Two cells of 100 respondents (sampled nearly in proportion) whose answers differ a lot.
    cells = ["a"] * 100 + ["b"] * 100
    y = np.r_[np.ones(10), np.zeros(90), np.ones(90), np.zeros(10)]
    weighting = poststratify(cells, {"a": 1000, "b": 1100})
    result = weighted_proportion(y, weighting.weights, calibration=weighting)
    assert result.kish_effective_n is not None and result.effective_n is not None
    assert result.kish_effective_n < result.n < result.effective_n
    assert result.deff is not None and result.deff < 1.0 < (result.kish_deff or 0.0)


# --- invalid weights and arguments -------------------------------------------------------

BAD_WEIGHTS = [
    ([1.0, math.nan], "finite"),
    ([1.0, math.inf], "finite"),
    ([1.0, -2.0], "negative"),
    ([0.0, 0.0], "positive"),
    ([], "empty"),
    ([[1.0, 2.0]], "one-dimensional"),
    (["a", "b"], "numbers"),
]


@pytest.mark.parametrize(("weights", "message"), BAD_WEIGHTS, ids=[m for _, m in BAD_WEIGHTS])
def test_invalid_weights_raise_everywhere(weights: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kish_design_effect(weights)
    if np.asarray(weights, dtype=object).ndim == 1 and len(weights) == 2:
        with pytest.raises(ValueError, match=message):
            weighted_proportion([0, 1], weights)
        with pytest.raises(WeightingError, match=message):
            poststratify(["a", "b"], {"a": 1, "b": 1}, base_weights=weights)
        with pytest.raises(WeightingError, match=message):
            rake({"g": ["a", "b"]}, {"g": {"a": 1, "b": 1}}, base_weights=weights)


def test_other_invalid_arguments_raise() -> None:
    assert kish_design_effect([1, 1, 1]) == 1.0 and kish_design_effect([0, 2]) == 2.0
    for kwargs in ({"tol": math.nan}, {"tol": 0.0}, {"max_iter": 0}, {"max_iter": 2.5},
                   {"max_iter": True}):
        with pytest.raises(ValueError):
            rake({"g": ["a", "b"]}, {"g": {"a": 1, "b": 1}}, **kwargs)
    for df in (0, -1, math.nan, "5"):
        with pytest.raises(ValueError, match="df"):
            weighted_proportion([0, 1], [1, 1], df=df)
    for population in (1, 2.5, -3):
        with pytest.raises(ValueError, match="population"):
            weighted_proportion([0, 1], [1, 1], population=population)
    weighting = _weighting("weighting", "poststratify")
    assert weighting is not None
    with pytest.raises(ValueError, match="finite"):
        calibration_residuals(np.full(SATISFIED.size, math.nan), weighting.calibration)
    with pytest.raises(ValueError, match="one entry"):
        calibration_residuals([0.0, 1.0], weighting.calibration)


def test_vectorised_population_must_be_whole_numbers() -> None:
    for population in (np.array([math.nan]), np.array([12.5]), np.array([9])):
        with pytest.raises(ValueError, match="population"):
            wilson_interval_array(np.array([1]), np.array([10]), population=population)
