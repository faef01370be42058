"""The KPI table of the downloads (CSV and XLSX share it): one row per KPI × fiscal year
(and a weighted row where a population table exists), built only from result rows.

Disclosure: a suppressed estimate leaves its value cells blank and sets ``suppressed`` = 1 with
the reason; any count of 1–4 people is blank with ``counts_suppressed`` = 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..formatting import pct
from ..results.breakdowns import Breakdown
from ..results.kpis import KpiYearResult
from ..results.weighted import WeightedResult
from ..stats import METHODS_NOTE
from ..timeutil import fiscal_year_label, wareki_fiscal_year
from .cells import Cell
from .columns import (
    COUNT,
    DECIMAL1,
    DECIMAL2,
    DEFINITION_COLUMNS,
    FLAG,
    LEVEL,
    POINTS,
    RATE,
    YEAR,
    Column,
    csv_header,
    definition_rows,
)
from .labels import (
    ASSESSMENT_LABELS,
    DIRECTION_LABELS,
    METHOD_LABELS,
    SUPPRESSION_LABELS,
    VERDICT_LABELS,
    label,
)
from .xlsx import Sheet

MIN_SHOWN = 5

KPI_COLUMNS: list[Column] = [
    Column("survey", _l("アンケート"), _l("アンケートのキー"), width=18),
    Column("kpi", _l("KPIキー"), _l("KPIのキー"), width=28),
    Column("title", "KPI", _l("KPIの名称"), width=40),
    Column("fiscal_year_wareki", _l("年度（和暦）"), _l("例：令和8年度"), width=12),
    Column("fiscal_year", _l("西暦年度"), _l("4月〜翌年3月の年度（西暦）"), YEAR),
    Column("weighted", _l("重み付け"), _l("1＝住民基本台帳の人口構成に合わせた重み付け推定、0＝重み付けなし"), FLAG),
    Column("responses", _l("回答数"), _l("この年度の回答数"), COUNT),
    Column("demo_responses", _l("うちデモデータ"), _l("回答数のうちデモデータ（経路 demo）の数"), COUNT),
    Column("flagged_excluded", _l("要確認で除外"),
           _l("自動送信・連続送信が疑われ（要確認）、回答数から除いた回答の数"), COUNT),
    Column("no_answer", _l("無回答"), _l("KPIの設問に答えなかった回答数"), COUNT),
    Column("excluded", _l("対象外"), _l("「利用したことがない」など母数から除く選択肢の回答数"), COUNT),
    Column("n", _l("n（母数）"), _l("割合の分母"), COUNT),
    Column("successes", _l("該当数"), _l("割合の分子（成功とする選択肢の回答数）"), COUNT),
    Column("estimate", _l("割合"), _l("該当数 ÷ n（0〜1、丸めていない値）"), RATE),
    Column("ci_low", _l("信頼区間（下限）"), _l("信頼区間の下限（0〜1）"), RATE),
    Column("ci_high", _l("信頼区間（上限）"), _l("信頼区間の上限（0〜1）"), RATE),
    Column("ci_method", _l("区間の方法"), _l("wilson, clopper-pearson, jeffreys, agresti-coull, wald, logit など")),
    Column("ci_level", _l("信頼水準"), _l("例：0.95"), LEVEL),
    Column("population", _l("母集団の大きさ"), _l("有限母集団修正に使った母集団の大きさ（使わないときは空欄）"), COUNT),
    Column("effective_n", _l("有効n"), _l("重み付けなしの行：有限母集団修正後の n(N−1)/(N−n)。重み付けの行："
                                         "キッシュの有効n＝n÷デザイン効果（n と同じ回答者の重みから。n を超えない）"),
           DECIMAL1),
    Column("design_effect", _l("デザイン効果"),
           _l("重み付け推定のキッシュのデザイン効果 1＋CV²（n に入る回答者の重みの変動係数）"), DECIMAL2),
    Column("suppressed", _l("非表示"), _l("1＝信頼性または秘匿のため割合と区間を空欄にした"), FLAG),
    Column("suppression_reason", _l("非表示の理由"),
           _l("no_data, small_cell, complement_small, small_n, wide_interval など。"
              "weighting_failed＝重みを人口表の合計に合わせられなかった（KPIのページに原因の区分を表示）")),
    Column("counts_suppressed", _l("件数の非表示"), _l("1＝1〜4人の件数を空欄にした"), FLAG),
    Column("baseline", _l("基準値"), _l("計画の基準値（0〜1）"), RATE),
    Column("baseline_fiscal_year", _l("基準年度"), _l("基準値の年度（西暦）"), YEAR),
    Column("baseline_n", _l("基準値のn"), _l("基準値の標本の大きさ（不明なときは空欄）"), COUNT),
    Column("change", _l("基準値からの変化"), _l("割合 − 基準値"), POINTS),
    Column("change_low", _l("変化の区間（下限）"), _l("変化の信頼区間の下限"), POINTS),
    Column("change_high", _l("変化の区間（上限）"), _l("変化の信頼区間の上限"), POINTS),
    Column("change_method", _l("変化の区間の方法"),
           _l("newcombe（基準値のnが分かるとき）または score（基準値を固定値とみなす）。"
              "重み付けの行は newcombe-neff／score-neff（線形化分散から求めた有効サンプルサイズで計算）")),
    Column("change_assessment", _l("変化の判定"), "improved, declined, no_detectable_change"),
    Column("target", _l("目標値"), _l("数値目標（0〜1、ないときは空欄）"), RATE),
    Column("target_fiscal_year", _l("目標年度"), _l("目標年度（西暦）"), YEAR),
    Column("direction", _l("方向"), _l("up（向上）, down（低下）, maintain（維持）")),
    Column("verdict", _l("判定"),
           _l("reached, not_reached, inconclusive（目標年度以降）；目標年度より前は "
              "on_track, off_track, track_unclear（基準値から目標への直線の道筋と比べた途中の位置）")),
    Column("verdict_label", _l("判定（日本語）"),
           _l("達成／未達成／判断できない；目標年度より前は 順調／遅れ／順調か判断できない")),
    Column("verdict_threshold", _l("判定に使った値"), _l("目標値（目標年度より前はその年度の道筋の値）、"
                                                      "または数値目標がないときは基準値"), RATE),
    Column("verdict_against", _l("判定の基準"), _l("target（目標値）または baseline（基準値）")),
]
KPI_HEADER = csv_header(KPI_COLUMNS)


def finite(value: float | None) -> float | None:
    """None for an infinite value (the effective n of a census), else the value."""
    return None if value is None or math.isinf(value) else value


def shown_count(value: int | None) -> int | None:
    """A count, or None when it is 1–4 people (never published)."""
    if value is None or 0 < value < MIN_SHOWN:
        return None
    return value


def kpi_rows(results: Iterable[KpiYearResult],
             weighted: dict[tuple[str, str, int], WeightedResult] | None = None) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for result in results:
        rows.append(_unweighted_row(result))
        extra = (weighted or {}).get((result.kpi.survey_key, result.kpi.key, result.fiscal_year))
        if extra is not None and (extra.proportion is not None or extra.failure is not None):
            rows.append(_weighted_row(result, extra))
    return rows


def _common(result: KpiYearResult) -> dict[str, Cell]:
    kpi = result.kpi
    return {
        "survey": kpi.survey_key, "kpi": kpi.key, "title": kpi.title,
        "fiscal_year_wareki": wareki_fiscal_year(result.fiscal_year),
        "fiscal_year": result.fiscal_year, "baseline": kpi.baseline_value,
        "baseline_fiscal_year": kpi.baseline_fiscal_year, "baseline_n": kpi.baseline_n,
        "target": kpi.target_value, "target_fiscal_year": kpi.target_fiscal_year,
        "direction": kpi.direction,
    }


def _counts(values: dict[str, int | None]) -> tuple[dict[str, Cell], bool]:
    shown = {key: shown_count(value) for key, value in values.items()}
    hidden = any(shown[k] is None and values[k] is not None for k in values)
    return dict(shown), hidden


def _unweighted_row(result: KpiYearResult) -> list[Cell]:
    row = _common(result)
    counts, hidden = _counts({
        "responses": result.responses, "demo_responses": result.demo_responses,
        "flagged_excluded": result.flagged_excluded, "no_answer": result.no_answer,
        "excluded": result.excluded, "n": result.base_n, "successes": result.successes})
    row.update(counts)
    row.update({"weighted": 0, "ci_method": result.method, "ci_level": result.level,
                "population": result.interval.population,
                "effective_n": finite(result.effective_n) if result.fpc_applied else None,
                "counts_suppressed": int(hidden or result.hidden_counts),
                "suppressed": int(result.suppressed),
                "suppression_reason": result.suppression_reason})
    if result.suppressed:
        row["successes"] = None
    else:
        row.update({"estimate": result.estimate, "ci_low": result.low, "ci_high": result.high})
        if result.change is not None:
            change = result.change
            row.update({"change": change.estimate, "change_low": change.low, "change_high": change.high,
                        "change_method": change.method, "change_assessment": change.assessment})
        if result.verdict is not None:
            verdict = result.verdict
            row.update({"verdict": verdict.verdict, "verdict_label": label(VERDICT_LABELS, verdict.verdict),
                        "verdict_threshold": verdict.threshold, "verdict_against": verdict.against})
    return [row.get(key) for key in KPI_HEADER]


def _weighted_row(result: KpiYearResult, weighted: WeightedResult) -> list[Cell]:
    """The weighted row; when the weights failed, only the respondents and the reason."""
    row = _common(result)
    proportion = weighted.proportion
    if proportion is None:
        counts, hidden = _counts({"responses": weighted.respondents})
        row.update(counts)
        row.update({"weighted": 1, "counts_suppressed": int(hidden), "suppressed": 1,
                    "suppression_reason": weighted.suppression_reason})
        return [row.get(key) for key in KPI_HEADER]
    counts, hidden = _counts({"n": proportion.n, "successes": proportion.successes,
                              "responses": weighted.respondents})
    row.update(counts)
    row.update({"weighted": 1, "ci_method": proportion.method, "ci_level": proportion.level,
                "population": weighted.population,
                "counts_suppressed": int(hidden), "suppressed": int(weighted.suppressed),
                "suppression_reason": weighted.suppression_reason})
    if weighted.suppressed:
        row["successes"] = None
    else:
        row.update({"estimate": proportion.estimate, "ci_low": proportion.low,
                    "ci_high": proportion.high, "effective_n": weighted.effective_n,
                    "design_effect": weighted.design_effect})
        if weighted.change is not None and not weighted.change.no_data:
            change = weighted.change
            row.update({"change": change.estimate, "change_low": change.low, "change_high": change.high,
                        "change_method": change.method, "change_assessment": change.assessment})
        if weighted.verdict is not None:
            threshold = result.kpi.target_value
            row.update({"verdict": weighted.verdict.verdict,
                        "verdict_label": label(VERDICT_LABELS, weighted.verdict.verdict),
                        "verdict_threshold": weighted.verdict.target,
                        "verdict_against": "target" if threshold is not None else "baseline"})
    return [row.get(key) for key in KPI_HEADER]


OPTION_COLUMNS = [
    Column("survey", _l("アンケート"), _l("アンケートのキー"), width=18),
    Column("kpi", _l("KPIキー"), _l("KPIのキー"), width=28),
    Column("fiscal_year_wareki", _l("年度（和暦）"), _l("例：令和8年度"), width=12),
    Column("fiscal_year", _l("西暦年度"), _l("4月〜翌年3月の年度（西暦）"), YEAR),
    Column("option", _l("選択肢コード"), _l("選択肢のコード（no_answer＝無回答）"), width=20),
    Column("option_label", _l("選択肢"), _l("選択肢の文言"), width=30),
    Column("in_base", _l("母数に含む"), _l("1＝n（母数）に含める選択肢、0＝対象外"), FLAG),
    Column("success", _l("該当"), _l("1＝割合の分子に数える選択肢"), FLAG),
    Column("count", _l("回答数"), _l("この選択肢を選んだ回答の数（1〜4人のときは空欄）"), COUNT),
    Column("count_suppressed", _l("件数の非表示"), _l("1＝件数を空欄にした"), FLAG),
    Column("suppression_reason", _l("非表示の理由"), _l("small_count（1〜4人）など")),
]
OPTION_HEADER = csv_header(OPTION_COLUMNS)


def option_rows(results: Iterable[KpiYearResult]) -> list[list[Cell]]:
    """Counts per option (and no answer) per KPI-year, with hidden cells blank and flagged."""
    rows: list[list[Cell]] = []
    for result in results:
        for option in result.options:
            count = None if option.hidden or shown_count(option.count) is None else option.count
            reason = option.hidden or (None if count is not None or option.count == 0 else "small_count")
            rows.append([result.kpi.survey_key, result.kpi.key, wareki_fiscal_year(result.fiscal_year),
                         result.fiscal_year, option.code, option.label, int(option.in_base),
                         int(option.success), count, int(count is None), reason])
    return rows


BREAKDOWN_COLUMNS = [
    Column("survey", _l("アンケート"), _l("アンケートのキー"), width=18),
    Column("kpi", _l("KPIキー"), _l("KPIのキー"), width=28),
    Column("fiscal_year_wareki", _l("年度（和暦）"), _l("例：令和8年度"), width=12),
    Column("fiscal_year", _l("西暦年度"), _l("4月〜翌年3月の年度（西暦）"), YEAR),
    Column("breakdown", _l("内訳のキー"), _l("内訳に使った設問のキー（channel＝回答経路）")),
    Column("breakdown_label", _l("内訳"), _l("内訳の名前（年齢区分、性別、経路など）"), width=14),
    Column("group", _l("区分コード"), _l("区分（選択肢や経路）のコード")),
    Column("group_label", _l("区分"), _l("区分の名前"), width=24),
    Column("n", _l("n（母数）"), _l("割合の分母（1〜4人のときは空欄）"), COUNT),
    Column("successes", _l("該当数"), _l("割合の分子"), COUNT),
    Column("estimate", _l("割合"), _l("該当数 ÷ n（0〜1、丸めていない値）"), RATE),
    Column("ci_low", _l("信頼区間（下限）"), _l("信頼区間の下限（0〜1）"), RATE),
    Column("ci_high", _l("信頼区間（上限）"), _l("信頼区間の上限（0〜1）"), RATE),
    Column("ci_method", _l("区間の方法"), "wilson, clopper-pearson, jeffreys, agresti-coull, wald"),
    Column("ci_level", _l("信頼水準"), _l("例：0.95"), LEVEL),
    Column("suppressed", _l("非表示"), _l("1＝信頼性または秘匿のため値を空欄にした"), FLAG),
    Column("suppression_reason", _l("非表示の理由"),
           _l("no_data, small_cell, complement_small, small_n, wide_interval など")),
]
BREAKDOWN_HEADER = csv_header(BREAKDOWN_COLUMNS)


def breakdown_rows(breakdowns: Iterable[Breakdown]) -> list[list[Cell]]:
    """Breakdown cells: hidden n, successes, estimate and interval are blank with the reason."""
    rows: list[list[Cell]] = []
    for table in breakdowns:
        for group in table.groups:
            hidden = group.suppressed
            rows.append([
                table.kpi.survey_key, table.kpi.key, wareki_fiscal_year(table.fiscal_year),
                table.fiscal_year, table.by, table.label, group.code, group.label,
                None if group.n_suppressed else shown_count(group.base_n),
                None if hidden else shown_count(group.successes),
                None if hidden else group.interval.estimate,
                None if hidden else group.interval.low, None if hidden else group.interval.high,
                group.interval.method, group.interval.level, int(hidden), group.reason,
            ])
    return rows


def methods_lines(results: Sequence[KpiYearResult]) -> list[list[Cell]]:
    """The method sheet: the statement in Japanese, each KPI's definition, then the English note."""
    lines: list[list[Cell]] = [[_("方法")]]
    lines += [[str(line)] for line in METHOD_STATEMENT_JA]
    lines += [[""], [_("KPIの定義")]]
    seen: set[tuple[str, str]] = set()
    for result in results:
        kpi = result.kpi
        if (kpi.survey_key, kpi.key) in seen:
            continue
        seen.add((kpi.survey_key, kpi.key))
        target = (_("数値目標なし（%(direction)s）", direction=label(DIRECTION_LABELS, kpi.direction))
                  if kpi.target_value is None else pct(kpi.target_value))
        excluded = "" if not kpi.excluded else _("−対象外（%(options)s）", options=_("、").join(
            kpi.option_label(c) for c in kpi.excluded))
        lines.append([_("%(title)s（%(survey)s / %(kpi)s）", title=kpi.title, survey=kpi.survey_key, kpi=kpi.key)])
        lines.append(["  " + _("割合＝%(headline)sの回答数 ÷ n。n＝回答数%(excluded)s%(no_answer)s",
                               headline=kpi.headline, excluded=excluded,
                               no_answer=_("（無回答を含む）") if kpi.no_answer_in_base else _("−無回答"))])
        lines.append(["  " + _("基準値 %(baseline)s（%(baseline_year)s）／目標 %(target)s（%(target_year)s）",
                               baseline=pct(kpi.baseline_value),
                               baseline_year=fiscal_year_label(kpi.baseline_fiscal_year), target=target,
                               target_year=fiscal_year_label(kpi.target_fiscal_year))
                      + (_("／母集団 %(population)s", population=kpi.population) if kpi.population else "")])
    lines += [[""], ["Methods (English)"]]
    lines += [[line] for line in METHODS_NOTE.splitlines()]
    return lines


METHOD_STATEMENT_JA = [
    _l("割合は、成功とする選択肢の回答数を n で割った値です。n は回答数から対象外の選択肢（「利用したことがない」など）"
    "を除いた数で、無回答は n に含めます（KPIごとの定義は下のとおり）。"),
    _l("信頼区間は、既定ではウィルソンのスコア法（95%）で求めます。職員アンケートのように母集団の大きさが分かる場合は、"
    "有限母集団修正（分散に (N−n)/(N−1) を掛ける）を行います。"),
    _l("基準値からの変化は、基準値の n が分かるときはニューカムのハイブリッド・スコア法、分からないときは基準値を"
    "固定値とみなしたスコア法の区間で判定します。区間が重なるかどうかでは判定しません。"),
    _l("目標の判定：片側95%の下限が目標を上回れば「達成」（下げる目標では上限が下回れば）、95%信頼区間全体が目標に"
    "届かなければ「未達成」、それ以外は「判断できない」。数値目標がないKPI（向上・低下のみ）は、基準値を判定に使う値とします。"),
    _l("重み付け推定は、年齢区分×性別（地区）の住民人口に合わせた事後層化（区分の回答者が少ないときはレイキング）で、"
    "線形化法の分散からロジット変換の区間を求めます。デザイン効果はキッシュの 1＋CV²（n に入る回答者の重みから）、"
    "有効n はその n÷デザイン効果で、n を超えません。基準値からの変化は、線形化分散から求めた有効サンプルサイズ"
    " p(1−p)÷分散 によるニューカム法です。母集団の大きさ N が分かるときの重み付け推定の有限母集団修正は、"
    "分散に 1−n/N を掛けます（R の survey パッケージと同じ式）。"
    "レイキングで人口表の合計に合わせられない区分があるときは、重み付けの推定値を出しません"
    "（非表示の理由 weighting_failed）。"),
    _l("有効n（p(1−p)÷分散。n を上限とし、有限母集団修正があるときは n÷修正係数 を上限とする）が30未満、"
    "または区間が広すぎる推定値は表示せず、1〜4人の件数（または全体との差が1〜4人の件数）も公表しません。"
    "空欄の理由は「非表示の理由」の列に記載しています。"),
]


def kpi_sheets(results: Sequence[KpiYearResult],
               weighted: dict[tuple[str, str, int], WeightedResult] | None = None) -> list[Sheet]:
    """The KPI workbook: results, counts per option, method statement, column definitions."""
    options = _("選択肢別")
    return [
        Sheet.of("KPI", KPI_COLUMNS, kpi_rows(results, weighted), freeze_columns=4),
        Sheet.of(options, OPTION_COLUMNS, option_rows(results)),
        method_sheet(results),
        Sheet.of(_("列の定義"), DEFINITION_COLUMNS,
                 definition_rows([("KPI", KPI_COLUMNS), (options, OPTION_COLUMNS)])),
    ]


def breakdown_sheets(years: Sequence[KpiYearResult], tables: Iterable[Breakdown]) -> list[Sheet]:
    """The breakdown workbook: one row per group, method statement, column definitions."""
    breakdowns = _("内訳")
    return [
        Sheet.of(breakdowns, BREAKDOWN_COLUMNS, breakdown_rows(tables)),
        method_sheet(years),
        Sheet.of(_("列の定義"), DEFINITION_COLUMNS, definition_rows([(breakdowns, BREAKDOWN_COLUMNS)])),
    ]


def method_sheet(results: Sequence[KpiYearResult]) -> Sheet:
    """Sentences, not a table: no filter, nothing frozen."""
    return Sheet(_("方法"), [_("説明")], methods_lines(results), widths={0: 120}, table=False)


def suppression_note(reason: str | None) -> str:
    return label(SUPPRESSION_LABELS, reason)


def method_name(method: str) -> str:
    return label(METHOD_LABELS, method)


def assessment_name(code: str | None) -> str:
    return label(ASSESSMENT_LABELS, code)
