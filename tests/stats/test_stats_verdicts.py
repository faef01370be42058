"""Change against a baseline and the three-state target verdict."""

from __future__ import annotations

import pytest
from scipy import stats

from surveyapp.stats import (
    classify_target,
    compare_to_baseline,
    difference_ci,
    interpret_change,
    proportion_ci,
    target_verdict,
)


def test_fixed_baseline_uses_wilson_minus_p0_and_score_test() -> None:
    result = compare_to_baseline(81, 100, baseline_rate=0.792)
    wilson = proportion_ci(81, 100)
    assert wilson.low is not None and wilson.high is not None
    assert result.baseline_treated_as == "fixed" and result.method == "score"
    assert result.estimate == pytest.approx(0.81 - 0.792)
    assert result.low == pytest.approx(wilson.low - 0.792)
    assert result.high == pytest.approx(wilson.high - 0.792)
    z = (0.81 - 0.792) / (0.792 * 0.208 / 100) ** 0.5
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.change == "no_detectable_change"


def test_sample_baseline_uses_newcombe() -> None:
    result = compare_to_baseline(56, 70, baseline_rate=0.6, baseline_n=80)
    reference = difference_ci(56, 70, 48, 80)
    assert result.baseline_treated_as == "sample" and result.method == "newcombe"
    assert result.low == pytest.approx(reference.low, abs=1e-12)
    assert result.high == pytest.approx(reference.high, abs=1e-12)
    assert result.change == "increased" and result.p_value is None


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("x", [10, 20, 28, 29, 36, 45, 70])
def test_fixed_interval_and_score_test_agree(x: int, level: float) -> None:
    result = compare_to_baseline(x, 100, baseline_rate=0.284, level=level)
    assert result.p_value is not None
    significant = result.p_value < 1 - level
    assert significant == (result.change != "no_detectable_change")


def test_decrease_and_direction_mapping() -> None:
    result = compare_to_baseline(12, 150, baseline_rate=0.22, direction="down")
    assert result.change == "decreased" and result.assessment == "improved"
    up = compare_to_baseline(12, 150, baseline_rate=0.22, direction="up")
    assert up.assessment == "declined"


@pytest.mark.parametrize(
    ("change", "direction", "expected"),
    [
        ("increased", "up", "improved"),
        ("decreased", "up", "declined"),
        ("increased", "down", "declined"),
        ("decreased", "down", "improved"),
        ("increased", "maintain", "improved"),
        ("decreased", "maintain", "declined"),
        ("no_detectable_change", "down", "no_detectable_change"),
    ],
)
def test_interpret_change(change: str, direction: str, expected: str) -> None:
    assert interpret_change(change, direction) == expected


def test_not_judged_by_overlap() -> None:
    # The two 95 % intervals overlap, yet the difference is clearly detectable.
    a, b = proportion_ci(225, 400), proportion_ci(190, 400)
    assert a.low is not None and b.high is not None and a.low < b.high
    result = compare_to_baseline(225, 400, baseline_rate=190 / 400, baseline_n=400)
    assert result.change == "increased"


def test_no_data_and_errors() -> None:
    empty = compare_to_baseline(0, 0, baseline_rate=0.3)
    assert empty.no_data and empty.change is None and empty.estimate is None
    with pytest.raises(ValueError, match="baseline_n"):
        compare_to_baseline(1, 10, baseline_rate=0.3, baseline_n=0)
    with pytest.raises(ValueError, match="baseline_rate"):
        compare_to_baseline(1, 10, baseline_rate=30)
    with pytest.raises(ValueError, match="direction"):
        compare_to_baseline(1, 10, baseline_rate=0.3, direction="sideways")


# --- target verdict ------------------------------------------------------------------------


def test_course_example_from_the_brief_is_inconclusive() -> None:
    # 81 % of 100 attendees, target 85 %: the interval (~72-87 %) contains the target.
    result = target_verdict(81, 100, target=0.85)
    assert result.verdict == "inconclusive"
    assert result.low is not None and result.high is not None
    assert result.low < 0.85 < result.high


def test_one_sided_bound_is_wilson_at_two_level_minus_one() -> None:
    result = target_verdict(180, 200, target=0.85, level=0.95)
    two_sided_90 = proportion_ci(180, 200, level=0.90)
    assert result.bound == pytest.approx(two_sided_90.low, abs=1e-12)
    assert result.verdict == "reached"
    z = (0.9 - 0.85) / (0.85 * 0.15 / 200) ** 0.5
    assert result.p_value == pytest.approx(stats.norm.sf(z))
    assert result.p_value < 0.05


def test_not_reached_when_whole_interval_is_short() -> None:
    result = target_verdict(140, 200, target=0.85)
    assert result.verdict == "not_reached"
    assert result.high is not None and result.high < 0.85


def test_down_direction() -> None:
    reached = target_verdict(20, 200, target=0.22, direction="down")
    assert reached.verdict == "reached"
    assert reached.bound == pytest.approx(proportion_ci(20, 200, level=0.9).high, abs=1e-12)
    missed = target_verdict(70, 200, target=0.22, direction="down")
    assert missed.verdict == "not_reached"
    unsure = target_verdict(40, 200, target=0.22, direction="down")
    assert unsure.verdict == "inconclusive"


@pytest.mark.parametrize("x", range(0, 201, 7))
@pytest.mark.parametrize("direction", ["up", "down"])
def test_reached_iff_one_sided_score_test_rejects(x: int, direction: str) -> None:
    result = target_verdict(x, 200, target=0.42, direction=direction)
    assert result.p_value is not None
    assert (result.verdict == "reached") == (result.p_value < 0.05)


def test_maintain_reached_at_equality() -> None:
    assert classify_target(bound=0.5, low=0.4, high=0.6, target=0.5, direction="maintain") == (
        "reached"
    )
    assert classify_target(bound=0.5, low=0.4, high=0.6, target=0.5, direction="up") == (
        "inconclusive"
    )


def test_staff_census_with_population() -> None:
    # All 3 staff of a population of 3 answered (2 yes): a census, no sampling error.
    census = target_verdict(2, 3, target=0.5, population=3)
    assert census.verdict == "reached" and census.low == census.high == 2 / 3
    sampled = target_verdict(300, 500, target=0.57, population=520)
    plain = target_verdict(300, 500, target=0.57)
    assert sampled.verdict == "reached" and plain.verdict == "inconclusive"


def test_target_errors_and_no_data() -> None:
    assert target_verdict(0, 0, target=0.8).verdict is None
    with pytest.raises(ValueError, match="target"):
        target_verdict(1, 10, target=1.0)
    with pytest.raises(ValueError, match="above 0.5"):
        target_verdict(1, 10, target=0.5, level=0.5)
    with pytest.raises(ValueError, match="direction"):
        target_verdict(1, 10, target=0.5, direction="flat")


def test_target_path_is_the_straight_line_from_baseline_to_target() -> None:
    from surveyapp.stats import target_path

    path = {"baseline": 0.42, "baseline_year": 2025, "target": 0.80, "target_year": 2030}
    assert target_path(**path, year=2025) == pytest.approx(0.42)
    assert target_path(**path, year=2026) == pytest.approx(0.42 + 0.38 / 5)
    assert target_path(**path, year=2028) == pytest.approx(0.42 + 0.38 * 3 / 5)
    assert target_path(**path, year=2030) == pytest.approx(0.80)
    assert target_path(**path, year=2023) == pytest.approx(0.42)  # before the baseline
    assert target_path(**path, year=2031) == pytest.approx(0.80)
    # A falling KPI: 22% in FY2023 down to 15% in FY2030.
    assert target_path(baseline=0.22, baseline_year=2023, target=0.15, target_year=2030,
                       year=2026) == pytest.approx(0.19)


def test_interim_position_uses_the_target_rule_against_the_path() -> None:
    from surveyapp.stats import interim_position, is_interim

    plan = {"baseline": 0.42, "baseline_year": 2025, "target": 0.80, "target_year": 2030,
            "year": 2026}
    assert is_interim(2026, 2030) and not is_interim(2030, 2030)
    # 45% of 150 in FY2026: short of the 80% target, but not judged against it yet.
    far = target_verdict(68, 150, target=0.80)
    assert far.verdict == "not_reached"
    near = interim_position(68, 150, **plan)
    assert near.target == pytest.approx(0.496)
    assert near.verdict == "track_unclear"  # the interval contains the path value 49.6%
    assert interim_position(120, 150, **plan).verdict == "on_track"
    assert interim_position(45, 150, **plan).verdict == "off_track"
    for x in range(0, 151, 5):  # the same three states as the target rule at the path value
        expected = target_verdict(x, 150, target=0.496).verdict
        got = interim_position(x, 150, **plan).verdict
        assert got == {"reached": "on_track", "not_reached": "off_track",
                       "inconclusive": "track_unclear"}[str(expected)]
    with pytest.raises(ValueError):
        interim_position(68, 150, **{**plan, "year": 2030})


def test_interim_position_for_a_falling_kpi() -> None:
    from surveyapp.stats import interim_position

    plan = {"baseline": 0.22, "baseline_year": 2023, "target": 0.15, "target_year": 2030,
            "year": 2026, "direction": "down"}
    assert interim_position(20, 200, **plan).verdict == "on_track"  # 10% < path 19%
    assert interim_position(60, 200, **plan).verdict == "off_track"  # 30% > path 19%
