"""Trend chart labels: built to collide (values on the baseline and the target, lines a hair
apart, many years), yet no two texts overlap, no value label covers a line, a bar or a marker, and
the smallest text is at least 9 pt at the narrowest printed width."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import pytest

from surveyapp.results.declarations import KpiDeclaration
from surveyapp.staff.charts import (
    CAP,
    MARKER,
    PRINT_WIDTH_MM_MIN,
    Box,
    Chart,
    spread,
    trend_chart,
)

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Year:
    """What the chart reads from a KPI-year result."""

    fiscal_year: int
    estimate: float | None
    n: int = 400
    suppressed: bool = False

    @property
    def half(self) -> float:
        assert self.estimate is not None
        return 1.96 * math.sqrt(self.estimate * (1 - self.estimate) / self.n)

    @property
    def low(self) -> float | None:
        return None if self.estimate is None else self.estimate - self.half

    @property
    def high(self) -> float | None:
        return None if self.estimate is None else self.estimate + self.half

    @property
    def base_n(self) -> int:
        return self.n


def _kpi(baseline: float, target: float | None, baseline_year: int = 2024) -> KpiDeclaration:
    return KpiDeclaration(
        survey_key="digital-divide-course", key="course_satisfaction_rate", title="講座の満足度",
        headline="満足＋やや満足", question_key="course_satisfaction", success=("satisfied",), excluded=(),
        no_answer_in_base=True, direction="up", baseline_value=baseline, baseline_fiscal_year=baseline_year,
        baseline_n=None, target_value=target, target_fiscal_year=2030, population=None)


def _chart(kpi: KpiDeclaration, years: list[Year]) -> Chart:
    return trend_chart(kpi, years)  # type: ignore[arg-type]


def _assert_clear(chart: Chart) -> None:
    labels = chart.labels
    view = Box(0, 0, chart.width, chart.height)
    for label in labels:
        assert label.box.inside(view), label
    for first, second in combinations(labels, 2):
        assert not first.box.intersects(second.box), (first.text, first.box, second.text, second.box)
    plot = Box(chart.left, chart.top - 8, chart.right - chart.left, chart.bottom - chart.top + 8)
    obstacles = [Box(chart.left, line.y - 1, chart.right - chart.left, 2) for line in chart.lines]
    for point in chart.points:
        if point.y is not None and point.y_low is not None and point.y_high is not None:
            obstacles += [Box(point.x - CAP, point.y_high, 2 * CAP, point.y_low - point.y_high),
                          Box(point.x - MARKER, point.y - MARKER, 2 * MARKER, 2 * MARKER)]
    marker = chart.baseline_marker
    assert marker is not None and marker.y is not None
    obstacles.append(Box(marker.x - MARKER, marker.y - MARKER, 2 * MARKER, 2 * MARKER))
    values = [label for label in labels if label.kind == "value"]
    for label in values:
        assert label.box.inside(plot), label
        for obstacle in obstacles:
            assert not label.box.intersects(obstacle), (label.text, label.box, obstacle)
    for line in chart.lines:  # each line keeps its label, in the margin
        label = next(item for item in labels if item.kind == line.kind)
        assert label.box.x > chart.right and abs(label.y - line.label_y) < 1e-9


def test_values_on_top_of_the_baseline_and_target_keep_their_labels_clear() -> None:
    kpi = _kpi(0.792, 0.85)  # the course KPI: 79.2% → 85%
    years = [Year(2025, 0.815), Year(2026, 0.85), Year(2027, 0.792), Year(2028, 0.821), Year(2029, 0.848)]
    chart = _chart(kpi, years)
    _assert_clear(chart)
    assert {label.text for label in chart.labels if label.kind == "value"} == {
        "81.5%", "85.0%", "79.2%", "82.1%", "84.8%"}
    assert {label.text for label in chart.labels if label.kind in ("baseline", "target")} == {
        "基準値 79.2%", "目標 85.0%"}


@pytest.mark.parametrize(("baseline", "target"), [(0.50, 0.505), (0.505, 0.50), (0.99, 1.0), (0.0, 0.01)])
def test_lines_a_hair_apart_get_labels_one_above_the_other(baseline: float, target: float) -> None:
    chart = _chart(_kpi(baseline, target), [Year(2025, baseline), Year(2026, target, n=60)])
    _assert_clear(chart)
    assert len([label for label in chart.labels if label.kind == "value"]) == 2  # both values labelled
    baseline_label, target_label = chart.lines[0].label_y, chart.lines[1].label_y
    assert abs(baseline_label - target_label) >= 14 * 1.2  # one whole text height apart
    assert (target_label < baseline_label) == (target > baseline)  # the higher line's label stays on top


def test_small_samples_wide_intervals_and_suppressed_years() -> None:
    years = [Year(2024, 0.30, n=40), Year(2025, None, suppressed=True), Year(2026, 0.31, n=35),
             Year(2027, 0.295, n=50)]
    _assert_clear(_chart(_kpi(0.30, None, baseline_year=2023), years))


def test_many_years_shorten_or_thin_the_year_labels() -> None:
    years = [Year(y, 0.4 + (y - 2019) * 0.03) for y in range(2019, 2031)]
    chart = _chart(_kpi(0.422, 0.8, baseline_year=2018), years)
    _assert_clear(chart)
    ticks = [label.text for label in chart.labels if label.kind == "x-tick"]
    assert ticks[0].startswith("平成30") or ticks[0].startswith("令和")
    assert len(ticks) >= 4 and ticks[-1] == "12年度"
    values = [label.text for label in chart.labels if label.kind == "value"]
    assert "73.0%" in values and len(values) >= 4  # the latest year always; the rest where there is room


def test_the_smallest_text_is_at_least_9_pt_when_printed() -> None:
    chart = _chart(_kpi(0.792, 0.85), [Year(2025, 0.815)])
    mm_per_unit = PRINT_WIDTH_MM_MIN / chart.width
    smallest = min(label.size for label in chart.labels)
    assert smallest * mm_per_unit / MM_PER_PT >= 9.0


def test_spread_moves_labels_apart_within_bounds() -> None:
    assert spread([50, 51, 52], 10, 0, 200) == [50, 60, 70]
    assert spread([195, 196], 10, 0, 200) == [185, 195]
    assert spread([52, 50], 10, 0, 200) == [60, 50]
