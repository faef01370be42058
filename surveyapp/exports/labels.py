"""Japanese names of codes (methods, verdicts, suppression reasons, channels) for every output."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
}
ASSESSMENT_LABELS = {
    "improved": _l("改善"),
    "declined": _l("悪化"),
    "no_detectable_change": _l("変化は確認できない"),
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


def label(table: dict[str, object], code: str | None) -> str:
    """The label of a code as plain text ("" for None, the code itself when unknown)."""
    if code is None:
        return ""
    return str(table.get(code, code))
