"""The KPI formula and the statistics applied to counts (no database needed)."""

from __future__ import annotations

import dataclasses

import pytest

from surveyapp.results.declarations import KpiDeclaration, OptionInfo
from surveyapp.results.kpis import NO_ANSWER, year_result
from surveyapp.stats import compare_to_baseline, proportion_ci, target_verdict

KPI = KpiDeclaration(
    survey_key="s", key="k", title="t", headline="h", question_key="q",
    success=("yes",), excluded=("na",), no_answer_in_base=True, direction="up",
    baseline_value=0.3, baseline_fiscal_year=2025, baseline_n=None, target_value=None,
    target_fiscal_year=2030, population=None,
    options=(OptionInfo("yes", "はい", "answer"), OptionInfo("no", "いいえ", "answer"),
             OptionInfo("na", "該当しない", "not_applicable")),
)


def test_base_excludes_not_applicable_and_keeps_no_answer() -> None:
    result = year_result(KPI, 2026, {"yes": 40, "no": 50, "na": 7, None: 10})
    assert (result.responses, result.excluded, result.no_answer) == (107, 7, 10)
    assert (result.base_n, result.successes) == (100, 40)
    assert result.interval == proportion_ci(40, 100)
    without = year_result(dataclasses.replace(KPI, no_answer_in_base=False), 2026,
                          {"yes": 40, "no": 50, None: 10})
    assert without.base_n == 90


def test_direction_only_kpi_is_judged_against_its_baseline() -> None:
    # In the target year (FY2030) the verdict is final.
    result = year_result(KPI, 2030, {"yes": 200, "no": 200})
    assert result.verdict is not None and result.verdict.against == "baseline"
    assert result.verdict.threshold == 0.3 and not result.verdict.interim
    assert result.verdict.verdict == target_verdict(200, 400, target=0.3).verdict == "reached"
    assert result.change == compare_to_baseline(200, 400, baseline_rate=0.3, direction="up")
    down = year_result(dataclasses.replace(KPI, direction="down"), 2030, {"yes": 200, "no": 200})
    assert down.verdict is not None and down.verdict.verdict == "not_reached"
    with_target = year_result(dataclasses.replace(KPI, target_value=0.5), 2030, {"yes": 200, "no": 200})
    assert with_target.verdict is not None and with_target.verdict.against == "target"
    assert with_target.verdict.verdict == "inconclusive"


def test_before_the_target_year_the_verdict_is_the_position_on_the_path() -> None:
    # FY2026 with the target due in FY2030: never 「未達成」, but on/off track of the straight path.
    early = year_result(KPI, 2026, {"yes": 200, "no": 200})
    assert early.verdict is not None and early.verdict.interim
    assert early.verdict.threshold == 0.3 and early.verdict.verdict == "on_track"
    down = year_result(dataclasses.replace(KPI, direction="down"), 2026, {"yes": 200, "no": 200})
    assert down.verdict is not None and down.verdict.verdict == "off_track"
    with_target = year_result(dataclasses.replace(KPI, target_value=0.8), 2026, {"yes": 160, "no": 240})
    assert with_target.verdict is not None and with_target.verdict.against == "target"
    assert with_target.verdict.threshold == pytest.approx(0.3 + 0.5 / 5)  # 40% on the path
    assert with_target.verdict.goal == 0.8 and with_target.verdict.goal_year == 2030
    assert with_target.verdict.verdict == "track_unclear"  # 40% of 400 sits on the path
    assert target_verdict(160, 400, target=0.8).verdict == "not_reached"  # what was shown before


def test_population_correction_and_n_above_population() -> None:
    staff = dataclasses.replace(KPI, population=500)
    result = year_result(staff, 2026, {"yes": 150, "no": 250})
    assert result.fpc_applied and result.interval == proportion_ci(150, 400, population=500)
    assert result.effective_n is not None and result.effective_n > 400
    over = year_result(dataclasses.replace(KPI, population=300), 2026, {"yes": 150, "no": 250})
    assert over.population_exceeded and not over.fpc_applied
    assert over.interval == proportion_ci(150, 400)


def test_no_data_is_none_not_zero_and_small_counts_are_hidden() -> None:
    empty = year_result(KPI, 2026, {"na": 6})
    assert empty.no_data and empty.estimate is None and empty.suppression_reason == "no_data"
    assert empty.verdict is None and empty.change is None
    result = year_result(KPI, 2026, {"yes": 60, "no": 57, "na": 3})
    hidden = {o.code: o.hidden for o in result.options}
    assert hidden["na"] == "small_cell" and hidden[NO_ANSWER] is None
    assert sum(1 for h in hidden.values() if h) >= 2  # secondary suppression


def test_a_census_has_no_sampling_error_and_serialises() -> None:
    import json

    from surveyapp.exports.kpi_table import KPI_HEADER, kpi_rows
    from surveyapp.opendata.records import unweighted_record

    census = year_result(dataclasses.replace(KPI, population=400), 2026, {"yes": 150, "no": 250})
    assert census.low == census.high == census.estimate == 0.375
    record = unweighted_record(census)
    assert record["effective_n"] is None
    json.dumps(record, allow_nan=False)
    row = dict(zip(KPI_HEADER, kpi_rows([census])[0], strict=True))
    assert row["effective_n"] is None and row["population"] == 400


def test_census_of_a_12_attendee_course_is_published_unless_a_cell_is_1_to_4() -> None:
    course = dataclasses.replace(KPI, population=12)  # all 12 attendees answered
    sampled = year_result(KPI, 2026, {"yes": 6, "no": 6})
    assert sampled.suppression_reason == "small_n"  # as a sample of an unknown population
    census = year_result(course, 2026, {"yes": 6, "no": 6})
    assert not census.suppressed and census.low == census.high == census.estimate == 0.5
    assert census.reliability.effective_n == census.effective_n == float("inf")
    ten = year_result(course, 2026, {"yes": 10, "no": 2})
    assert ten.suppressed and ten.reliability.reasons == ("complement_small",)
    # 10 of 12 attendees answered: the effective n of the rule is n(N - 1)/(N - n) = 55.
    most = year_result(course, 2026, {"yes": 5, "no": 5})
    assert most.reliability.effective_n == most.effective_n == 55.0
    assert "small_n" not in most.reliability.reasons
