"""Open-data records, built only from result rows: public surveys, demo data and flagged
responses excluded (with their count), suppressed values omitted (null), numbers unrounded."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..exports.kpi_table import finite, shown_count
from ..results import PUBLIC
from ..results.kpis import KpiYearResult
from ..results.overview import flat_results, kpi_overview, weighted_index
from ..results.weighted import WeightedResult
from ..surveys.format.schema import Text
from ..timeutil import wareki_fiscal_year

FIELDS: list[tuple[str, str, Text]] = [
    ("survey", "string", _l("アンケートのキー")),
    ("kpi", "string", _l("KPIのキー")),
    ("title", "string", _l("KPIの名称")),
    ("fiscal_year", "integer", _l("年度（西暦、4月〜翌年3月）")),
    ("fiscal_year_wareki", "string", _l("年度（和暦）")),
    ("weighted", "boolean", _l("true＝住民の人口構成（年齢区分×性別）に合わせた重み付け推定")),
    ("n", "integer", _l("割合の分母（1〜4のときは null）")),
    ("flagged_excluded", "integer", _l("自動送信などが疑われ（要確認）、集計から除いた回答の数（1〜4のときは null）")),
    ("successes", "integer", _l("割合の分子（非表示のときは null）")),
    ("estimate", "number", _l("割合（0〜1、丸めていない値。非表示のときは null）")),
    ("ci_low", "number", _l("信頼区間の下限（0〜1）")),
    ("ci_high", "number", _l("信頼区間の上限（0〜1）")),
    ("ci_method", "string", _l("区間の方法（wilson, clopper-pearson, jeffreys, agresti-coull, wald,"
     " logit, korn-graubard）")),
    ("level", "number", _l("信頼水準（例：0.95）")),
    ("effective_n", "number", _l("有効サンプルサイズ（重み付けなし：有限母集団修正後の n(N−1)/(N−n)、そのほかは n。"
     "重み付け：キッシュの有効n＝n÷デザイン効果で、n を超えない）")),
    ("design_effect", "number", _l("キッシュのデザイン効果 1＋CV²（重み付けのときのみ）")),
    ("population", "integer", _l("有限母集団修正に使った母集団の大きさ（使わないときは null）")),
    ("baseline", "number", _l("計画の基準値（0〜1）")),
    ("baseline_fiscal_year", "integer", _l("基準値の年度")),
    ("target", "number", _l("数値目標（0〜1、ないときは null）")),
    ("target_fiscal_year", "integer", _l("目標年度")),
    ("direction", "string", _l("up（向上）, down（低下）, maintain（維持）")),
    ("target_verdict", "string", _l("reached（達成）, not_reached（未達成）, inconclusive（判断できない）；"
     "目標年度より前は on_track（順調）, off_track（遅れ）, track_unclear（順調か判断できない）")),
    ("verdict_against", "string", _l("target（目標値で判定）または baseline（数値目標がないため基準値で判定）")),
    ("baseline_verdict", "string", _l("基準値からの変化：improved（改善）, declined（悪化）,"
     " no_detectable_change（変化は確認できない）")),
    ("change", "number", _l("割合 − 基準値")),
    ("change_low", "number", _l("変化の信頼区間の下限")),
    ("change_high", "number", _l("変化の信頼区間の上限")),
    ("suppressed", "boolean", _l("true＝信頼性または秘匿のため割合・区間などを省いた")),
    ("suppression_reason", "string", "no_data, small_cell, complement_small, small_n,"
     " wide_interval, wide_relative_interval"),
]
"""Name, JSON type and description (a lazy string: ``str()`` it for JSON) of each field."""
FIELD_NAMES = [name for name, _type, _text in FIELDS]


def _base(result: KpiYearResult) -> dict[str, Any]:
    kpi = result.kpi
    return {
        "survey": kpi.survey_key, "kpi": kpi.key, "title": kpi.title,
        "fiscal_year": result.fiscal_year, "fiscal_year_wareki": wareki_fiscal_year(result.fiscal_year),
        "baseline": kpi.baseline_value, "baseline_fiscal_year": kpi.baseline_fiscal_year,
        "target": kpi.target_value, "target_fiscal_year": kpi.target_fiscal_year,
        "direction": kpi.direction,
    }


def unweighted_record(result: KpiYearResult) -> dict[str, Any]:
    record = _base(result)
    shown = not result.suppressed
    record.update({
        "weighted": False, "n": shown_count(result.base_n),
        "flagged_excluded": shown_count(result.flagged_excluded),
        "successes": shown_count(result.successes) if shown else None,
        "estimate": result.estimate if shown else None, "ci_low": result.low if shown else None,
        "ci_high": result.high if shown else None, "ci_method": result.method, "level": result.level,
        "effective_n": finite(result.effective_n) if shown else None, "design_effect": None,
        "population": result.interval.population,
        "target_verdict": result.verdict.verdict if shown and result.verdict else None,
        "verdict_against": result.verdict.against if result.verdict else None,
        "baseline_verdict": result.change.assessment if shown and result.change else None,
        "change": result.change.estimate if shown and result.change else None,
        "change_low": result.change.low if shown and result.change else None,
        "change_high": result.change.high if shown and result.change else None,
        "suppressed": result.suppressed, "suppression_reason": result.suppression_reason,
    })
    return {name: record.get(name) for name in FIELD_NAMES}


def weighted_record(result: KpiYearResult, weighted: WeightedResult) -> dict[str, Any]:
    record = _base(result)
    proportion = weighted.proportion
    assert proportion is not None
    shown = not weighted.suppressed
    record.update({
        "weighted": True, "n": shown_count(proportion.n),
        "flagged_excluded": shown_count(result.flagged_excluded),
        "successes": shown_count(proportion.successes) if shown else None,
        "estimate": proportion.estimate if shown else None,
        "ci_low": proportion.low if shown else None, "ci_high": proportion.high if shown else None,
        "ci_method": proportion.method, "level": proportion.level,
        "effective_n": weighted.effective_n if shown else None,
        "design_effect": weighted.design_effect if shown else None,
        "population": weighted.population,
        "target_verdict": weighted.verdict.verdict if shown and weighted.verdict else None,
        "verdict_against": "target" if result.kpi.target_value is not None else "baseline",
        "baseline_verdict": weighted.change.assessment if shown and weighted.change else None,
        "change": weighted.change.estimate if shown and weighted.change else None,
        "change_low": weighted.change.low if shown and weighted.change else None,
        "change_high": weighted.change.high if shown and weighted.change else None,
        "suppressed": weighted.suppressed, "suppression_reason": weighted.suppression_reason,
    })
    return {name: record.get(name) for name in FIELD_NAMES}


def open_data_records() -> list[dict[str, Any]]:
    """Every KPI-year of the public surveys, demo and flagged responses excluded; weighted rows
    where possible."""
    series = kpi_overview(selection=PUBLIC, public_only=True)
    weighted = weighted_index(series, selection=PUBLIC)
    records = []
    for result in flat_results(series):
        if result.no_data:
            continue
        records.append(unweighted_record(result))
        extra = weighted.get((result.kpi.survey_key, result.kpi.key, result.fiscal_year))
        if extra is not None and extra.proportion is not None:
            records.append(weighted_record(result, extra))
    return records
