"""The dashboard's trend: points inside the drawing, the numbers in the text alternative."""

from __future__ import annotations

import dataclasses

from surveyapp.results.kpis import year_result
from surveyapp.staff.sparkline import sparkline
from tests.results.test_formula import KPI


def test_sparkline_places_baseline_years_and_target_inside_the_box() -> None:
    kpi = dataclasses.replace(KPI, target_value=0.6)
    years = [year_result(kpi, 2026, {"yes": 150, "no": 250}), year_result(kpi, 2027, {"yes": 180, "no": 220})]
    spark = sparkline(kpi, years)
    assert spark is not None
    xs = [spark.baseline[0]] + [p.x for p in spark.points]
    assert xs == sorted(xs) and len(set(xs)) == 3  # baseline year, then each year to the right
    for p in spark.points:
        assert 0 <= p.y_high <= p.y <= p.y_low <= spark.height
    assert spark.target_y is not None and 0 <= spark.target_y < spark.points[-1].y  # 60% above 45%
    assert spark.path.startswith(f"M{spark.baseline[0]} {spark.baseline[1]}")
    assert spark.label == ("推移：基準値 30.0%（令和7年度）、令和8年度 37.5%（" + _range(years[0]) + "）、"
                           "令和9年度 45.0%（" + _range(years[1]) + "）、目標 60.0%（令和12年度）")


def _range(result: object) -> str:
    from surveyapp.formatting import pct_range

    return pct_range(result.low, result.high)  # type: ignore[attr-defined]


def test_no_shown_rate_means_no_sparkline() -> None:
    assert sparkline(KPI, [year_result(KPI, 2026, {"na": 8})]) is None
    assert sparkline(KPI, []) is None
