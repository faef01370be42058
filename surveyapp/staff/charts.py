"""Trend chart geometry (server-rendered SVG): estimates with interval bars, baseline and
target lines, text labels. Pure functions over result rows; the template draws the shapes.

Every text is placed here, as a box, so that no two texts overlap and no value label sits on a
line, an interval bar or a marker: the baseline and target labels are stacked apart in the right
margin (with a leader to their line when moved), each value label takes the first free place
around its point (the latest year first; with many crowded years a label that has no free place
is left out, the table has every value), and the year labels shorten (「令和7年度」 → 「7年度」) or thin out when the
years are close. Sizes are in SVG units chosen for print: at the narrowest printed width
(:data:`PRINT_WIDTH_MM_MIN`, the chart column of the A4 report) the smallest text is 9 pt.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..formatting import count, pct, pct_range
from ..results.declarations import KpiDeclaration
from ..results.kpis import KpiYearResult
from ..timeutil import wareki_fiscal_year

WIDTH = 400
HEIGHT = 210
LEFT, RIGHT, TOP, BOTTOM = 50, 106, 12, 30
FONT = 14.0  # axis and line labels
VALUE_FONT = 14.0  # value labels (bold)
PRINT_WIDTH_MM_MIN = 95.0  # the chart is never printed narrower (see staff.css)
GAP = 3.0  # free space kept around a text box
MARKER = 5.0  # radius of a point, half side of the baseline square
CAP = 6.0  # half width of an interval bar's caps


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def inside(self, other: Box) -> bool:
        return (self.x >= other.x and self.right <= other.right
                and self.y >= other.y and self.bottom <= other.bottom)


@dataclass(frozen=True)
class Label:
    """A text and the box it takes (drawn left-aligned, vertically centred in the box)."""

    text: str
    box: Box
    size: float
    kind: str  # "y-tick", "x-tick", "baseline", "target", "value", "suppressed"
    bold: bool = False

    @property
    def x(self) -> float:
        return self.box.x

    @property
    def y(self) -> float:
        return self.box.y + self.box.h / 2


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
    label_y: float = 0.0  # centre of its label (moved off the other line's label if needed)


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
    labels: tuple[Label, ...] = ()


def text_width(text: str, size: float) -> float:
    """A generous estimate of the rendered width (no font metrics on the server): wide (CJK)
    characters 1 em, digits and Latin about 0.65 em, narrow punctuation less."""
    ems = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif char in ".,:;'|!il ":
            ems += 0.36
        elif char == "%":
            ems += 0.96
        else:
            ems += 0.66
    return ems * size


def text_box(text: str, size: float, *, x: float, cy: float) -> Box:
    """The box of a text whose left edge is ``x`` and whose vertical centre is ``cy``."""
    height = size * 1.2
    return Box(x, cy - height / 2, text_width(text, size), height)


def spread(centres: Sequence[float], height: float, low: float, high: float) -> list[float]:
    """Label centres moved as little as possible so that labels of ``height`` do not overlap,
    kept between ``low`` and ``high`` (the order of the labels is kept)."""
    if not centres:
        return []
    order = sorted(range(len(centres)), key=lambda i: centres[i])
    placed = [min(max(centres[i], low + height / 2), high - height / 2) for i in order]
    for index in range(1, len(placed)):  # push down what overlaps the one above
        placed[index] = max(placed[index], placed[index - 1] + height)
    overflow = placed[-1] - (high - height / 2)
    if overflow > 0:  # then push the stack back up from the bottom
        placed[-1] -= overflow
        for index in range(len(placed) - 2, -1, -1):
            placed[index] = min(placed[index], placed[index + 1] - height)
    result = [0.0] * len(centres)
    for position, index in enumerate(order):
        result[index] = placed[position]
    return result


def _year_labels(years: Sequence[int], x_of: dict[int, float], bottom: float) -> list[Label]:
    """「令和7年度」 under each year; shortened to 「7年度」 after the first, then every other
    year, when they would touch."""
    cy = bottom + 10 + FONT * 0.6  # below the 0% label
    styles = [
        [wareki_fiscal_year(y) for y in years],
        [wareki_fiscal_year(y) if i == 0 else wareki_fiscal_year(y).removeprefix("令和").removeprefix("平成")
         for i, y in enumerate(years)],
    ]
    for step in range(1, len(years) + 1):
        for texts in styles:
            labels = []
            for index, (year, text) in enumerate(zip(years, texts, strict=True)):
                if index % step and index != len(years) - 1:
                    continue
                width = text_width(text, FONT)
                x = min(max(x_of[year] - width / 2, 0.0), WIDTH - width)
                labels.append(Label(text, text_box(text, FONT, x=x, cy=cy), FONT, "x-tick"))
            if not any(_padded(a.box).intersects(b.box) for a, b in _pairs(labels)):
                return labels
    return labels[-1:]


def _pairs(labels: Sequence[Label]) -> Iterable[tuple[Label, Label]]:
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            yield first, second


def _padded(box: Box, pad: float = GAP) -> Box:
    return Box(box.x - pad, box.y - pad, box.w + 2 * pad, box.h + 2 * pad)


def _value_candidates(text: str, point: Point) -> list[Box]:
    """Places for a value label around its point, nearest first: beside the point (right, then
    left), beyond the ends of its interval, then ever further above and below."""
    assert point.y is not None and point.y_low is not None and point.y_high is not None
    width, height = text_width(text, VALUE_FONT), VALUE_FONT * 1.2
    x, y = point.x, point.y
    columns = (x + MARKER + 4, x - MARKER - 4 - width, x - width / 2)
    candidates = [Box(columns[0], y - height / 2, width, height), Box(columns[1], y - height / 2, width, height),
                  Box(columns[2], point.y_high - 4 - height, width, height),
                  Box(columns[2], point.y_low + 4, width, height)]
    for step in range(1, 7):
        for sign in (-1, 1):
            centre = y + sign * step * (height / 2 + 2)
            candidates += [Box(left, centre - height / 2, width, height) for left in columns]
    return candidates


def _place_values(points: Sequence[Point], obstacles: list[Box], plot: Box) -> list[Label]:
    """Each value label in the first place around its point that is inside the plot and clear of
    every obstacle and of the labels placed before it, the latest year first. A label with no
    free place is left out (when many years crowd the chart): the table under the chart has
    every value."""
    labels: list[Label] = []
    for point in reversed(points):
        if point.y is None:
            continue
        taken = obstacles + [_padded(label.box, 1.0) for label in labels]
        for candidate in _value_candidates(point.label, point):
            if candidate.inside(plot) and not any(candidate.intersects(box) for box in taken):
                labels.append(Label(point.label, candidate, VALUE_FONT, "value", bold=True))
                break
    return labels


def trend_chart(kpi: KpiDeclaration, years: Sequence[KpiYearResult]) -> Chart:
    """Chart of a KPI over its fiscal years on a fixed 0–100 % scale."""
    first = min([kpi.baseline_fiscal_year] + [r.fiscal_year for r in years])
    last = max([kpi.baseline_fiscal_year] + [r.fiscal_year for r in years])
    span = max(1, last - first)
    right_edge, bottom_edge = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_w = right_edge - LEFT
    plot_h = bottom_edge - TOP
    pad = plot_w * 0.1

    def x_of(year: int) -> float:
        return LEFT + pad + (plot_w - 2 * pad) * (year - first) / span if last > first else LEFT + plot_w / 2

    def y_of(rate: float) -> float:
        return TOP + plot_h * (1 - rate)

    all_years = list(range(first, last + 1))
    x_ticks = tuple(Tick(x_of(y), f"{wareki_fiscal_year(y)}") for y in all_years)
    y_ticks = tuple(Tick(y_of(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100))
    points = []
    described = []
    for result in years:
        if result.suppressed or result.estimate is None or result.low is None or result.high is None:
            points.append(Point(x_of(result.fiscal_year), None, None, None, "—",
                                wareki_fiscal_year(result.fiscal_year)))
            described.append(_("%(year)s 非表示", year=wareki_fiscal_year(result.fiscal_year)))
            continue
        points.append(Point(x_of(result.fiscal_year), y_of(result.estimate), y_of(result.low),
                            y_of(result.high), pct(result.estimate),
                            wareki_fiscal_year(result.fiscal_year)))
        described.append(_("%(year)s %(estimate)s（%(interval)s、n=%(n)s）",
                           year=wareki_fiscal_year(result.fiscal_year), estimate=pct(result.estimate),
                           interval=pct_range(result.low, result.high), n=count(result.base_n)))
    drafts = [Line(y_of(kpi.baseline_value), _("基準値 %(value)s", value=pct(kpi.baseline_value)), "baseline")]
    if kpi.target_value is not None:
        drafts.append(Line(y_of(kpi.target_value), _("目標 %(value)s", value=pct(kpi.target_value)), "target"))
    line_height = FONT * 1.2 + GAP
    centres = spread([line.y for line in drafts], line_height, TOP - 4, bottom_edge + 4)
    lines = tuple(Line(line.y, line.label, line.kind, centre) for line, centre in zip(drafts, centres, strict=True))
    marker = Point(x_of(kpi.baseline_fiscal_year), y_of(kpi.baseline_value), None, None,
                   pct(kpi.baseline_value), wareki_fiscal_year(kpi.baseline_fiscal_year))

    labels: list[Label] = []
    for tick in y_ticks:
        width = text_width(tick.label, FONT)
        labels.append(Label(tick.label, text_box(tick.label, FONT, x=LEFT - 6 - width, cy=tick.pos), FONT, "y-tick"))
    labels += _year_labels(all_years, {y: x_of(y) for y in all_years}, bottom_edge)
    labels += [Label(line.label, text_box(line.label, FONT, x=right_edge + 8, cy=line.label_y), FONT, line.kind)
               for line in lines]
    # What a value label must not cover: the lines, the interval bars, the markers.
    obstacles = [Box(LEFT, line.y - 2, plot_w, 4) for line in lines]
    obstacles.append(Box(marker.x - MARKER - 1, (marker.y or 0) - MARKER - 1, 2 * MARKER + 2, 2 * MARKER + 2))
    for point in points:
        if point.y is None or point.y_low is None or point.y_high is None:
            continue
        obstacles.append(Box(point.x - CAP - 1, point.y_high - 2, 2 * CAP + 2, point.y_low - point.y_high + 4))
        obstacles.append(Box(point.x - MARKER - 1, point.y - MARKER - 1, 2 * MARKER + 2, 2 * MARKER + 2))
    for point in points:
        if point.y is None:
            width = text_width("—", FONT)
            box = text_box("—", FONT, x=point.x - width / 2, cy=bottom_edge - FONT)
            labels.append(Label("—", box, FONT, "suppressed"))
            obstacles.append(_padded(box, 1.0))
    labels += _place_values(points, obstacles, Box(LEFT + 1, TOP - 8, plot_w - 1, plot_h + 7))
    description = _("、").join(described) if described else _("回答なし")
    return Chart(WIDTH, HEIGHT, LEFT, right_edge, TOP, bottom_edge, x_ticks, y_ticks,
                 tuple(points), lines, marker, description, tuple(labels))
