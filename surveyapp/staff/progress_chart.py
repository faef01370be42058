"""Cumulative responses over a fiscal year (server-rendered SVG geometry): a step line of the
running total, the goal as a dashed line, month ticks. Pure function over result rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..formatting import count, jp_date
from ..results.fieldwork import DayCount

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    path: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    goal_y: float | None
    goal_label: str
    description: str


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 5:
            return step
    return max(1, top // 5)


def progress_chart(days: Sequence[DayCount], fiscal_year: int, today: date,
                   goal: int | None, goal_label: str = "") -> ProgressChart | None:
    """None when there are no responses. The x axis runs from 1 April to today (or 31 March)."""
    if not days:
        return None
    start = date(fiscal_year, 4, 1)
    end = min(max(today, days[-1].day), date(fiscal_year + 1, 3, 31))
    span = max(1, (end - start).days)
    total = days[-1].cumulative
    top_value = max(total, goal or 0)
    step = _nice_step(top_value)
    y_max = step * (top_value // step + 1)

    def x_of(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    def y_of(value: int) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / y_max), 1)

    points = [f"M{x_of(start)} {y_of(0)}"]
    running = 0
    for item in days:
        points.append(f"H{x_of(item.day)} V{y_of(item.cumulative)}")
        running = item.cumulative
    points.append(f"H{x_of(end)}")
    month_ticks = []
    for offset in range(12):
        month = 4 + offset
        first = date(fiscal_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        if first > end:
            break
        if x_of(first) <= WIDTH - RIGHT - 24:  # room for the label
            month_ticks.append(Tick(x_of(first), _("%(month)s月", month=first.month)))
    y_ticks = tuple(Tick(y_of(v), count(v)) for v in range(0, y_max + 1, step))
    description = _("累計 %(count)s件（%(date)sまで）", count=count(running), date=jp_date(days[-1].day))
    if goal:
        description += _("、%(goal)s %(count)s件", goal=goal_label, count=count(goal))
    return ProgressChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, " ".join(points),
                         tuple(month_ticks), y_ticks, y_of(goal) if goal else None, goal_label,
                         description)
