"""The residents' results page: a survey's KPI rates with their intervals, in the resident's
language, as a short chart and a table.

Every number comes from :mod:`surveyapp.results` (demo responses excluded, as in open data);
this module only picks the published ones, words them and places them on a chart. Disclosure
control is the results' own: a suppressed year shows "—", and counts of 1–4 are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _

from ..exports.kpi_table import shown_count
from ..i18n import localized
from ..results import PUBLIC
from ..results.kpis import KpiYearResult
from ..results.overview import kpi_overview
from ..surveys.definitions import KpiDef, SurveyDef

# Chart geometry in SVG user units; the SVG scales to the width of the page.
WIDTH = 340
LABEL_RIGHT = 76  # year labels end here
PLOT_LEFT, PLOT_RIGHT = 84, 290
ROW = 30
BAR = 14
HEAD = 36  # two label rows above the bars: baseline and target
FOOT = 24  # axis labels


@dataclass(frozen=True)
class YearRow:
    year: int
    label: str
    shown: bool
    estimate: str
    interval: str
    n: str
    y: float
    bar_width: float
    low_x: float
    high_x: float


@dataclass(frozen=True)
class Marker:
    """The plan's baseline or target: a line on the chart and a sentence under it."""

    x: float
    label: str
    y: float
    anchor: str
    label_value: str
    label_year: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ResidentKpi:
    kpi: KpiDef
    key: str
    title: str
    title_lang: str
    counted: str
    left_out: str
    level: int
    rows: tuple[YearRow, ...]
    baseline: Marker
    target: Marker | None
    ticks: tuple[Tick, ...]
    height: float
    description: str

    @property
    def any_shown(self) -> bool:
        return any(row.shown for row in self.rows)


def percent(value: float) -> str:
    return str(format_percent(value, "#,##0.0%"))


def year_label(year: int) -> str:
    return _("%(year)d年度", year=year)


def _x(rate: float) -> float:
    return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * rate, 1)


def _marker(rate: float, year: int, label: str, y: float) -> Marker:
    anchor = "start" if rate < 0.25 else "end" if rate > 0.75 else "middle"
    return Marker(x=_x(rate), label=label, y=y, anchor=anchor, label_value=percent(rate),
                  label_year=year_label(year))


def _options(defn: SurveyDef, question_key: str, codes: tuple[str, ...], language: str) -> str:
    """「満足」または「やや満足」: the options' labels, quoted, as a list in the language."""
    question = defn.question(question_key)
    labels = [_("「%(label)s」", label=localized(question.option(code).text, language)[0])
              for code in codes]
    return format_list(labels, style="or", locale=str(get_locale() or "ja"))


def _row(result: KpiYearResult, index: int) -> YearRow:
    y = HEAD + index * ROW
    shown = not result.suppressed and result.estimate is not None
    n = shown_count(result.base_n)
    if not shown or result.estimate is None or result.low is None or result.high is None:
        return YearRow(result.fiscal_year, year_label(result.fiscal_year), False, "—", "—",
                       str(n) if n is not None else "—", y, 0.0, 0.0, 0.0)
    return YearRow(
        result.fiscal_year, year_label(result.fiscal_year), True, percent(result.estimate),
        _("%(low)s〜%(high)s", low=percent(result.low), high=percent(result.high)),
        str(n) if n is not None else "—", y, round(_x(result.estimate) - PLOT_LEFT, 1), _x(result.low),
        _x(result.high),
    )


def resident_kpi(defn: SurveyDef, kpi: KpiDef, years: tuple[KpiYearResult, ...],
                 language: str) -> ResidentKpi:
    """One KPI for residents: what is counted, each year's published rate, chart geometry."""
    question = defn.question(kpi.question)
    if language in kpi.title:
        title, title_lang = kpi.title[language], language
    else:
        title, title_lang = localized(question.text, language)
    counted = _options(defn, kpi.question, kpi.success, language)
    left_out = _options(defn, kpi.question, kpi.excluded, language) if kpi.excluded else ""
    rows = tuple(_row(result, index) for index, result in enumerate(years))
    baseline = _marker(kpi.baseline_value, kpi.baseline_fiscal_year,
                       _("基準値 %(value)s", value=percent(kpi.baseline_value)), 14)
    target = None
    if kpi.target_value is not None:
        target = _marker(kpi.target_value, kpi.target_fiscal_year,
                         _("目標 %(value)s", value=percent(kpi.target_value)), 30)
    height = HEAD + max(len(rows), 1) * ROW + FOOT
    ticks = tuple(Tick(_x(v), str(format_percent(v, "#,##0%"))) for v in (0.0, 0.5, 1.0))
    described = [f"{row.label}: {row.estimate} ({row.interval})" if row.shown
                 else f"{row.label}: —" for row in rows]
    level = round((years[-1].level if years else 0.95) * 100)
    return ResidentKpi(kpi=kpi, key=kpi.key, title=title, title_lang=title_lang, counted=counted,
                       left_out=left_out, level=level, rows=rows, baseline=baseline,
                       target=target, ticks=ticks, height=height,
                       description="; ".join(described))


def resident_results(survey_key: str, defn: SurveyDef, language: str) -> list[ResidentKpi]:
    """Every KPI of a survey that publishes its results (demo responses left out)."""
    keys = {(survey_key, kpi.key) for kpi in defn.kpis}
    series = {item.kpi.key: item.years
              for item in kpi_overview(selection=PUBLIC, public_only=True, keys=keys)}
    return [resident_kpi(defn, kpi, series.get(kpi.key, ()), language) for kpi in defn.kpis]
