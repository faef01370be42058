"""Trend chart geometry (server-rendered SVG): estimates with interval bars, baseline and
target lines, text labels. Pure functions over result rows; the template draws the shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..formatting import count, pct, pct_range
from ..results.declarations import KpiDeclaration
from ..results.kpis import KpiYearResult
from ..timeutil import wareki_fiscal_year

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float | None
    y_low: float | None
    y_high: float | None
    label: str
    year: str
    weighted: bool = False


@dataclass(frozen=True)
class Line:
    y: float
    label: str
    kind: str  # "baseline" or "target"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    points: tuple[Point, ...]
    lines: tuple[Line, ...]
    baseline_marker: Point | None
    description: str


def trend_chart(kpi: KpiDeclaration, years: Sequence[KpiYearResult]) -> Chart:
    """Chart of a KPI over its fiscal years on a fixed 0–100 % scale."""
    first = min([kpi.baseline_fiscal_year] + [r.fiscal_year for r in years])
    last = max([kpi.baseline_fiscal_year] + [r.fiscal_year for r in years])
    span = max(1, last - first)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    pad = plot_w * 0.08

    def x_of(year: int) -> float:
        return LEFT + pad + (plot_w - 2 * pad) * (year - first) / span if last > first else LEFT + plot_w / 2

    def y_of(rate: float) -> float:
        return TOP + plot_h * (1 - rate)

    x_ticks = tuple(Tick(x_of(y), f"{wareki_fiscal_year(y)}") for y in range(first, last + 1))
    y_ticks = tuple(Tick(y_of(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100))
    points = []
    described = []
    for result in years:
        if result.suppressed or result.estimate is None or result.low is None or result.high is None:
            points.append(Point(x_of(result.fiscal_year), None, None, None, "—",
                                wareki_fiscal_year(result.fiscal_year)))
            described.append(f"{wareki_fiscal_year(result.fiscal_year)} 非表示")
            continue
        points.append(Point(x_of(result.fiscal_year), y_of(result.estimate), y_of(result.low),
                            y_of(result.high), pct(result.estimate),
                            wareki_fiscal_year(result.fiscal_year)))
        described.append(f"{wareki_fiscal_year(result.fiscal_year)} {pct(result.estimate)}"
                         f"（{pct_range(result.low, result.high)}、n={count(result.base_n)}）")
    lines = [Line(y_of(kpi.baseline_value), f"基準値 {pct(kpi.baseline_value)}", "baseline")]
    if kpi.target_value is not None:
        lines.append(Line(y_of(kpi.target_value), f"目標 {pct(kpi.target_value)}", "target"))
    marker = Point(x_of(kpi.baseline_fiscal_year), y_of(kpi.baseline_value), None, None,
                   pct(kpi.baseline_value), wareki_fiscal_year(kpi.baseline_fiscal_year))
    description = "、".join(described) if described else "回答なし"
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, x_ticks, y_ticks,
                 tuple(points), tuple(lines), marker, description)
