"""Write docs/accessibility.md (試験結果) from the JSON that the browser tests record.

    python tools/accessibility_report.py test-results/accessibility.json docs/accessibility.md

The page follows the form in which Japanese public bodies publish JIS X 8341-3:2016 test
results: the pages tested, the result per success criterion, how we tested, and what automated
testing cannot tell.  Run ``make accessibility`` to refresh both.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

# JIS X 8341-3:2016 (= WCAG 2.0) success criteria, levels A and AA.
CRITERIA: list[tuple[str, str, str]] = [
    ("1.1.1", "非テキストコンテンツ", "A"),
    ("1.2.1", "音声のみ及び映像のみ（収録済み）", "A"),
    ("1.2.2", "キャプション（収録済み）", "A"),
    ("1.2.3", "音声解説、又はメディアに対する代替（収録済み）", "A"),
    ("1.2.4", "キャプション（ライブ）", "AA"),
    ("1.2.5", "音声解説（収録済み）", "AA"),
    ("1.3.1", "情報及び関係性", "A"),
    ("1.3.2", "意味のある順序", "A"),
    ("1.3.3", "感覚的な特徴", "A"),
    ("1.4.1", "色の使用", "A"),
    ("1.4.2", "音声の制御", "A"),
    ("1.4.3", "コントラスト（最低限レベル）", "AA"),
    ("1.4.4", "テキストのサイズ変更", "AA"),
    ("1.4.5", "文字画像", "AA"),
    ("2.1.1", "キーボード", "A"),
    ("2.1.2", "キーボードトラップなし", "A"),
    ("2.2.1", "タイミング調整可能", "A"),
    ("2.2.2", "一時停止、停止、非表示", "A"),
    ("2.3.1", "3回の閃光、又は閾値以下", "A"),
    ("2.4.1", "ブロックスキップ", "A"),
    ("2.4.2", "ページタイトル", "A"),
    ("2.4.3", "フォーカス順序", "A"),
    ("2.4.4", "リンクの目的（コンテキスト内）", "A"),
    ("2.4.5", "複数の手段", "AA"),
    ("2.4.6", "見出し及びラベル", "AA"),
    ("2.4.7", "フォーカスの可視化", "AA"),
    ("3.1.1", "ページの言語", "A"),
    ("3.1.2", "一部分の言語", "AA"),
    ("3.2.1", "フォーカス時", "A"),
    ("3.2.2", "入力時", "A"),
    ("3.2.3", "一貫したナビゲーション", "AA"),
    ("3.2.4", "一貫した識別性", "AA"),
    ("3.3.1", "エラーの特定", "A"),
    ("3.3.2", "ラベル又は説明", "A"),
    ("3.3.3", "エラー修正の提案", "AA"),
    ("3.3.4", "エラー回避（法的、金融、データ）", "AA"),
    ("4.1.1", "構文解析", "A"),
    ("4.1.2", "名前（name）・役割（role）及び値（value）", "A"),
]
# WCAG 2.1 criteria (not in JIS X 8341-3:2016) that the tests also cover.
WCAG21: list[tuple[str, str, str]] = [
    ("1.3.4", "表示の向き", "AA"),
    ("1.3.5", "入力目的の特定", "AA"),
    ("1.4.10", "リフロー", "AA"),
    ("1.4.11", "非テキストのコントラスト", "AA"),
    ("1.4.12", "テキストの間隔", "AA"),
    ("2.5.3", "名前（name）のラベル", "A"),
]
# No such content on the respondent pages, by design.
NOT_APPLICABLE = {
    "1.2.1": "音声・映像を使っていない", "1.2.2": "音声・映像を使っていない",
    "1.2.3": "音声・映像を使っていない", "1.2.4": "音声・映像を使っていない",
    "1.2.5": "音声・映像を使っていない", "1.4.2": "自動で再生される音声がない",
    "2.2.2": "動く・点滅する・自動更新される内容がない", "2.3.1": "点滅する内容がない",
    "1.4.5": "文字画像を使っていない",
    "1.1.1": "画像などの非テキストコンテンツを使っていない（フォームの部品は 4.1.2 で確認）",
}
# Our own browser checks and the criteria they give evidence for.
OWN_CHECKS: dict[str, tuple[str, list[str]]] = {
    "keyboard-only": ("キーボード（Tab・Space・Enter）だけで最後まで回答できる", ["2.1.1", "2.1.2", "2.4.3",
                                                                             "3.2.1", "3.2.2"]),
    "error-summary-focus": ("入力エラーのとき、エラーの一覧にフォーカスが移り、各設問へのリンクがある",
                            ["3.3.1", "2.4.3"]),
    "page-language": ("ページの言語（html の lang 属性）が選んだ言語と一致する", ["3.1.1"]),
    "layout-320": ("幅 320 CSS ピクセル（400 % 拡大に相当）・文字拡大時に横スクロールがなく、"
                   "押せる部分が 44 × 44 ピクセル以上・間隔 8 ピクセル以上", ["1.4.4", "1.4.10"]),
    "back-after-submit": ("送信後に「戻る」で前の回答が表示されない（ブラウザーの戻る用キャッシュを含む）", []),
    "stored-once": ("1回の回答が、選んだ内容のとおり1件だけ保存される", []),
    "first-screen": ("幅 320・高さ 640 CSS ピクセルで文字を大きくしても、また 390 × 844 でも、"
                     "最初の画面に設問と最初の選択肢が入る（スクロール不要）", ["1.4.4"]),
    "back-after-error": ("入力エラーのあとに「戻る」「進む」「再読み込み」をしても、"
                         "フォームの再送信の確認が出ない（履歴に POST を残さない）", []),
}
KIND_NAMES = {"landing": "アンケート一覧（トップ）", "start": "アンケートの開始ページ",
              "question": "設問ページ", "error": "入力エラーの状態", "thank-you": "送信完了ページ",
              "closed": "受付終了のページ", "language": "言語の選択ページ", "results": "集計結果のページ"}
LANGUAGE_NAMES = {"ja": "日本語", "ja-easy": "やさしい日本語", "pt-BR": "ポルトガル語（ブラジル）",
                  "en": "英語", "vi": "ベトナム語"}


def criterion_of(tag: str) -> str | None:
    """``wcag1410`` → ``1.4.10``."""
    match = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
    return ".".join(match.groups()) if match else None


def _kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def render(data: dict[str, Any]) -> str:
    visits = data["visits"]
    rules_for: dict[str, list[str]] = defaultdict(list)
    for rule in data.get("axe_rules", []):
        for tag in rule["tags"]:
            criterion = criterion_of(tag)
            if criterion:
                rules_for[criterion].append(rule["id"])
    passed: set[str] = set()
    violated: dict[str, int] = defaultdict(int)
    axe_pages = 0
    for visit in visits:
        if visit.get("axe") is None:
            continue
        axe_pages += 1
        passed.update(visit["axe"]["passes"])
        for violation in visit["axe"]["violations"]:
            violated[violation["id"]] += 1
    checks = data.get("checks", {})
    own_for: dict[str, list[str]] = defaultdict(list)
    for name, (_text, criteria) in OWN_CHECKS.items():
        if name in checks:
            for criterion in criteria:
                own_for[criterion].append(name)

    def result(number: str) -> tuple[str, str]:
        if number in NOT_APPLICABLE:
            return "適用なし", NOT_APPLICABLE[number]
        rules = rules_for.get(number, [])
        bad = [r for r in rules if violated.get(r)]
        own = own_for.get(number, [])
        failed_own = [n for n in own if not checks[n]["passed"]]
        if bad or failed_own:
            return "不適合あり", "、".join(bad + failed_own)
        evidence = [r for r in rules if r in passed] + own
        if evidence:
            return "自動試験で問題なし", "、".join(f"`{e}`" for e in evidence)
        return "未試験（人による確認が必要）", "自動試験では判定できない"

    lines = [
        "# アクセシビリティ試験結果（回答者向けページ）",
        "",
        "各務原市 アンケート（surveyapp）の回答者向けページについて、JIS X 8341-3:2016 の達成基準に",
        "沿って自動試験を行った結果です。このページは自動試験の記録から "
        "`tools/accessibility_report.py` で作っています（`make accessibility`）。",
        "",
        "**この結果だけで JIS X 8341-3:2016 に「準拠」または「一部準拠」しているとは表明しません。**",
        "自動試験で確かめられるのは達成基準の一部です。「未試験」の達成基準と、支援技術（スクリーン",
        "リーダーなど）を使った確認は、人による試験で行う必要があります（下の「自動試験でわからないこと」）。",
        "",
        "## 試験の概要",
        "",
        "| 項目 | 内容 |",
        "|---|---|",
        "| 規格 | JIS X 8341-3:2016（WCAG 2.0 と同じ内容）。参考として WCAG 2.1 の一部 |",
        "| 目標とする適合レベル | AA |",
        f"| 試験日 | {data['date']} |",
        f"| 試験方法 | 自動試験（ブラウザー Chromium {data['browser']}、axe-core {data['axe']}） |",
        f"| 試験の数 | {data['tests'].get('passed', 0)} 件成功、{data['tests'].get('failed', 0)} 件失敗"
        f"（所要 {data['seconds']:.0f} 秒） |",
        f"| axe-core で調べたページ | 延べ {axe_pages} ページ（違反 {sum(violated.values())} 件） |",
        "",
        "## 試験対象ページ",
        "",
        "回答者が見るすべての種類のページを、5つの言語で調べました。標準の5つのアンケート",
        "（市役所窓口、デジタル講座、行政サービスのデジタル化、公共交通、職員の生成AI活用）の",
        "すべての設問ページを含みます。",
        "",
        "| ページの種類 | " + " | ".join(LANGUAGE_NAMES.values()) + " |",
        "|---|" + "---|" * len(LANGUAGE_NAMES),
    ]
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for visit in visits:
        if visit.get("axe") is not None:
            counted[(visit["kind"], visit["language"])] += 1
    for kind, name in KIND_NAMES.items():
        cells = [str(counted.get((kind, lang), 0)) for lang in LANGUAGE_NAMES]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "数字は axe-core で調べたページの延べ数です（JavaScript を有効にした状態）。同じページを",
              "JavaScript を無効にした状態でも表示し、最後まで回答できることを確かめています。", ""]

    lines += ["## 達成基準ごとの結果", "",
              "「自動試験で問題なし」は、その達成基準に関係する自動の確認がすべて通ったことを表します。",
              "達成基準を満たしていることの証明ではありません。", "",
              "| 番号 | 達成基準 | レベル | 結果 | 根拠（axe-core のルール・独自の確認） |",
              "|---|---|---|---|---|"]
    for number, name, level in CRITERIA:
        verdict, basis = result(number)
        lines.append(f"| {number} | {name} | {level} | {verdict} | {basis} |")
    lines += ["", "### 参考：WCAG 2.1 で追加された達成基準のうち自動で確かめたもの", "",
              "| 番号 | 達成基準 | レベル | 結果 | 根拠 |", "|---|---|---|---|---|"]
    for number, name, level in WCAG21:
        verdict, basis = result(number)
        lines.append(f"| {number} | {name} | {level} | {verdict} | {basis} |")

    lines += ["", "## 独自の確認", "", "| 確認したこと | 結果 | 回数 |", "|---|---|---|"]
    for name, (text, _criteria) in OWN_CHECKS.items():
        check = checks.get(name)
        if check:
            lines.append(f"| {text} | {'問題なし' if check['passed'] else '問題あり'} | {check['runs']} |")

    lines += ["", "## ページの重さ（転送量）", "",
              "ブラウザーが実際に受け取ったバイト数です（HTML、スタイルシート、ヘッダーを含む。キャッシュなし）。",
              "目標は 1 ページあたり 50 KB 以下です。Web フォントは使わず、ほかのサイトへの通信もありません。", "",
              "| ページの種類 | ページ数 | 最小 | 中央値 | 最大 | リクエスト数（最大） | フォント | 他サイトへの通信 |",
              "|---|---|---|---|---|---|---|---|"]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for visit in visits:
        by_kind[visit["kind"]].append(visit)
    for kind, name in KIND_NAMES.items():
        items = by_kind.get(kind)
        if not items:
            continue
        sizes = [v["bytes"] for v in items]
        lines.append(f"| {name} | {len(items)} | {_kb(min(sizes))} | {_kb(statistics.median(sizes))} | "
                     f"{_kb(max(sizes))} | {max(v['requests'] for v in items)} | "
                     f"{sum(v['fonts'] for v in items)} | {sum(v['foreign'] for v in items)} |")

    lines += [
        "", "## 試験方法", "",
        "- Debian の Chromium を Playwright で操作し、画面の大きさはスマートフォン相当の 390 × 844 CSS ピクセルです。",
        "- axe-core（npm パッケージ）のルールのうち、タグ `wcag2a`・`wcag2aa`・`wcag21a`・`wcag21aa` のものを",
        "  すべてのページで実行し、違反が 0 件であることを確かめています。",
        "- 5つのアンケートを5つの言語（日本語・やさしい日本語・ポルトガル語・英語・ベトナム語）で、",
        "  JavaScript を有効にした状態と無効にした状態の両方で最後まで回答し、回答が正しく1件だけ",
        "  保存されることを確かめています。",
        "- 幅 320 CSS ピクセル（1280 ピクセルの画面を 400 % に拡大したときと同じ幅）で、横スクロールが",
        "  出ないこと、選択肢・ボタン・リンクの押せる部分が 44 × 44 ピクセル以上で、間が 8 ピクセル以上",
        "  あることを確かめています。「文字を大きくする」を選んだ状態でも確かめています。",
        "- キーボードだけ（Tab・Space・Enter）で回答し、入力エラーのときにエラーの一覧へフォーカスが",
        "  移ること、それまでの回答が残っていることを確かめています。",
        "- 送信したあとにブラウザーの「戻る」を使っても、回答した内容が表示されないことを、ブラウザーの",
        "  戻る用キャッシュ（back/forward cache）を有効にして確かめています。",
        "",
        "## 自動試験でわからないこと",
        "",
        "次のことは自動試験では確かめられません。公開の前と、画面を大きく変えたときに、人が確認します。",
        "",
        "- スクリーンリーダー（NVDA、JAWS、VoiceOver、TalkBack など）で、読み上げの順序・内容が分かり",
        "  やすいか。ルビ（ふりがな）が二重に読み上げられないか。",
        "- 見出し・ラベル・エラーメッセージ・リンクの文言が、内容を正しく、分かりやすく表しているか",
        "  （2.4.4、2.4.6、3.3.2、3.3.3）。",
        "- 翻訳の正しさと分かりやすさ。アンケートの日本語以外の文言は機械翻訳の下書き",
        "  （`machine-draft`）で、ネイティブの確認が必要です。やさしい日本語も、読み手の確認が必要です。",
        "- 色だけで情報を伝えていないか、形や位置だけで説明していないか（1.4.1、1.3.3）の最終判断。",
        "- フォーカスの表示が、実際の機器・画面で十分に見えるか（2.4.7）。",
        "- 実際のスマートフォン（古い機種、ブラウザーの文字サイズ設定を大きくした状態）での表示と操作。",
        "- 時間制限（送信の有効期限は 8 時間）が利用者にとって十分か（2.2.1）。",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    if data["tests"].get("failed"):
        print("the browser tests failed; fix them before publishing results", file=sys.stderr)
        return 1
    Path(argv[2]).write_text(render(data), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
