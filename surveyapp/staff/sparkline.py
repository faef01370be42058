"""A small trend for the dashboard table (server-rendered SVG): the baseline as a hollow square,
each fiscal year's rate as a dot with its interval, the target as a dashed line. The scale
fits the values shown (the numbers are in the table and the text alternative)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..formatting import pct, pct_range
from ..results.declarations import KpiDeclaration
from ..results.kpis import KpiYearResult
from ..timeutil import wareki_fiscal_year

WIDTH, HEIGHT = 132, 40
PAD_X, PAD_Y = 6, 4


@dataclass(frozen=True)
class SparkPoint:
    x: float
    y: float
    y_low: float
    y_high: float


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    path: str  # polyline through the baseline and the shown rates
    baseline: tuple[float, float]
    points: tuple[SparkPoint, ...]
    target_y: float | None
    label: str


def sparkline(kpi: KpiDeclaration, years: Sequence[KpiYearResult]) -> Sparkline | None:
    """None when no year has a shown rate."""
    shown = [r for r in years if not r.suppressed and r.estimate is not None
             and r.low is not None and r.high is not None]
    if not shown:
        return None
    values = [kpi.baseline_value] + [v for r in shown for v in (r.low, r.high) if v is not None]
    if kpi.target_value is not None:
        values.append(kpi.target_value)
    low, high = max(0.0, min(values) - 0.02), min(1.0, max(values) + 0.02)
    span = max(high - low, 0.05)
    first = min([kpi.baseline_fiscal_year] + [r.fiscal_year for r in shown])
    last = max([kpi.baseline_fiscal_year] + [r.fiscal_year for r in shown]
               + ([kpi.target_fiscal_year] if kpi.target_value is not None else []))
    years_span = max(1, last - first)

    def x_of(year: int) -> float:
        return round(PAD_X + (WIDTH - 2 * PAD_X) * (year - first) / years_span, 1)

    def y_of(rate: float) -> float:
        return round(PAD_Y + (HEIGHT - 2 * PAD_Y) * (1 - (rate - low) / span), 1)

    base = (x_of(kpi.baseline_fiscal_year), y_of(kpi.baseline_value))
    points = []
    for r in shown:
        assert r.estimate is not None and r.low is not None and r.high is not None
        points.append(SparkPoint(x_of(r.fiscal_year), y_of(r.estimate), y_of(r.low), y_of(r.high)))
    coords = [base] + [(p.x, p.y) for p in points]
    path = "M" + " L".join(f"{x} {y}" for x, y in coords)
    parts = [_("基準値 %(value)s（%(year)s）", value=pct(kpi.baseline_value),
               year=wareki_fiscal_year(kpi.baseline_fiscal_year))]
    parts += [_("%(year)s %(estimate)s（%(interval)s）", year=wareki_fiscal_year(r.fiscal_year),
                estimate=pct(r.estimate), interval=pct_range(r.low, r.high))
              for r in shown]
    if kpi.target_value is not None:
        parts.append(_("目標 %(value)s（%(year)s）", value=pct(kpi.target_value),
                       year=wareki_fiscal_year(kpi.target_fiscal_year)))
    return Sparkline(WIDTH, HEIGHT, path, base, tuple(points),
                     y_of(kpi.target_value) if kpi.target_value is not None else None,
                     _("推移：%(values)s", values=_("、").join(parts)))
