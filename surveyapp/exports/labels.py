"""Japanese names of codes (methods, verdicts, suppression reasons, channels, response languages)
for every output."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from ..surveys.format.schema import LANGUAGE_LABELS  # the one list of language names for staff

METHOD_LABELS = {
    "wilson": _l("ウィルソンのスコア法"),
    "clopper-pearson": _l("クロッパー・ピアソン法（正確法）"),
    "jeffreys": _l("ジェフリーズ法"),
    "agresti-coull": _l("アグレスティ・クール法"),
    "wald": _l("ワルド法（参考のみ）"),
}
WEIGHTED_METHOD_LABELS = {
    "logit": _l("ロジット変換"),
    "korn-graubard": _l("コーン・グラウバード法"),
    "wilson-neff": _l("有効サンプルサイズによるウィルソン法"),
}
SCHEME_LABELS = {
    "poststratify": _l("事後層化（年齢区分×性別）"),
    "rake": _l("レイキング（周辺分布への合わせ込み）"),
}
NR_METHOD_LABELS = {
    "poststratify": _l("事後層化（名簿の層ごとの人数に合わせる）"),
    "inverse_rate": _l("層ごとの回収率の逆数（宛先不明を除く）"),
}
VERDICT_LABELS = {
    "reached": _l("達成"),
    "not_reached": _l("未達成"),
    "inconclusive": _l("判断できない（誤差の範囲内）"),
    # Before the target year: the position on the straight path from the baseline to the target.
    "on_track": _l("順調"),
    "off_track": _l("遅れ"),
    "track_unclear": _l("順調か判断できない"),
}
ASSESSMENT_LABELS = {
    "improved": _l("改善"),
    "declined": _l("悪化"),
    "no_detectable_change": _l("変化は確認できない"),
}
AUDIENCE_LABELS = {
    "residents": _l("市民"),
    "counter": _l("窓口の来庁者"),
    "course": _l("講座の参加者"),
    "staff": _l("職員"),
}
DIRECTION_LABELS = {"up": _l("向上"), "down": _l("低下"), "maintain": _l("維持")}
SUPPRESSION_LABELS = {
    "no_data": _l("回答がありません"),
    "small_cell": _l("1〜4人の区分は公表しません"),
    "complement_small": _l("全体との差が1〜4人の区分は公表しません"),
    "small_n": _l("有効回答数が30未満のため信頼性が不足しています"),
    "wide_interval": _l("信頼区間の幅が30ポイント以上あり、信頼性が不足しています"),
    "wide_relative_interval": _l("信頼区間が推定値に比べて広すぎ、信頼性が不足しています"),
    "secondary": _l("ほかの非表示の値を逆算できないよう、あわせて非表示にしています"),
    "small_count": _l("1〜4人の値は公表しません"),
    "weighting_failed": _l("重みを人口表の合計に合わせられないため、重み付けの推定値は出しません"),
}
CHANNEL_LABELS = {
    "web": _l("ウェブ（公開リンク）"),
    "poster-qr": _l("ポスターのQRコード"),
    "counter": _l("窓口"),
    "newsletter": _l("広報紙"),
    "kiosk": _l("タブレット（キオスク）"),
    "paper": _l("紙の調査票"),
    "invitation": _l("案内状（無作為抽出）"),
    "demo": _l("デモデータ"),
}
UNKNOWN_LANGUAGE = _l("不明")


def label(table: dict[str, object], code: str | None) -> str:
    """The label of a code as plain text ("" for None, the code itself when unknown)."""
    if code is None:
        return ""
    return str(table.get(code, code))


COMPARABILITY_LABELS = {
    "question": _l("KPI の元になる設問が、別の設問に変わりました。"),
    "question_text": _l("KPI の設問の文言（%(language)s）が変わりました。"),
    "question_hint": _l("KPI の設問の補足（%(language)s）が変わりました。"),
    "option_text": _l("選択肢「%(label)s」の文言（%(language)s）が変わりました。"),
    "options": _l("KPI の設問の選択肢が追加・削除・並べ替えされました。"),
    "success": _l("成功とする回答（割合の分子）が変わりました。"),
    "base": _l("母数の定義（母数から除く回答、無回答の扱い）が変わりました。"),
}
"""Why a version is not comparable with earlier years (``surveys.diff.Reason`` codes)."""


def comparability_reason(reason: Mapping[str, str]) -> str:
    """One reason of a comparability note as a sentence for staff."""
    text = COMPARABILITY_LABELS.get(reason.get("code", ""))
    if text is None:
        return str(reason.get("code", ""))
    language = reason.get("language", "")
    return str(text) % {"language": LANGUAGE_LABELS.get(language, language),
                        "label": reason.get("label") or reason.get("option", "")}
