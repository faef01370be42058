"""Acceptance of the survey editor in Debian's Chromium, as a survey owner would do it: create
「図書館利用者アンケート」 with three questions and one KPI, preview it on a phone in Japanese and
English, publish, open and answer it; reword one option, see the comparability warning, publish
version 2; add a question in Excel, upload it, see the difference, publish version 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from surveyapp.auth.services import create_staff
from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from surveyapp.surveys.models import ComparabilityNote
from surveyapp.surveys.services import get_survey, version_definition

from .conftest import LiveServer
from .helpers import PHONE, Tab

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"
AUTHOR = "library-author@city.example.jp"
ADMIN = "library-admin@city.example.jp"
DESKTOP = {"width": 1366, "height": 768}
QUESTIONS = [
    {"key": "visit_frequency", "type": "single", "required": True, "ja": "図書館をどのくらい利用していますか。",
     "en": "How often do you use the library?",
     "options": [("weekly", "週に1回以上", "At least once a week"), ("monthly", "月に1〜3回", "1 to 3 times a month"),
                 ("rarely", "年に数回", "A few times a year")]},
    {"key": "staff_satisfaction", "type": "single", "required": True, "ja": "職員の対応に満足していますか。",
     "en": "Are you satisfied with how the staff helped you?",
     "options": [("satisfied", "満足", "Satisfied"), ("somewhat_satisfied", "やや満足", "Somewhat satisfied"),
                 ("somewhat_dissatisfied", "やや不満", "Somewhat dissatisfied"),
                 ("dissatisfied", "不満", "Dissatisfied")]},
    {"key": "comment", "type": "textarea", "required": False, "ja": "ご意見・ご要望をお書きください。",
     "en": "Please write any comments or requests.", "options": []},
]


def _login(tab: Tab, email: str) -> None:
    tab.goto("/staff/login")
    tab.page.get_by_label("メールアドレス").fill(email)
    tab.page.get_by_label("パスワード").fill(PASSWORD)
    tab.page.get_by_role("button", name="ログイン").click()
    # Each role lands on its own home page (the author on the survey list).
    tab.page.wait_for_url(lambda url: "/staff/login" not in url)


def _write_question(page: Any, question: dict[str, Any]) -> None:
    page.get_by_label("設問キー").fill(question["key"])
    if question["type"] != "single":
        page.get_by_label("種類").select_option(question["type"])
        page.get_by_role("button", name="保存する").first.click()
    if question["required"]:
        page.get_by_label("回答を必須にする").check()
    page.get_by_label("設問文（日本語）").fill(question["ja"])
    page.get_by_label("設問文（英語）").fill(question["en"])
    for n, (code, ja, en) in enumerate(question["options"]):
        if page.locator(f"#options-{n}-code").count() == 0:
            with page.expect_navigation():
                page.get_by_role("button", name="選択肢を追加").click()
            assert page.evaluate("document.activeElement.id") == f"option-{n}"  # focus follows the new option
        page.locator(f"#options-{n}-code").fill(code)
        page.locator(f"#options-{n}-text_ja").fill(ja)
        page.locator(f"#options-{n}-text_en").fill(en)
    page.get_by_role("button", name="保存して一覧に戻る").click()


def _create_survey(tab: Tab) -> None:
    page = tab.page
    page.get_by_role("link", name="アンケート", exact=True).click()
    page.get_by_role("link", name="新しいアンケートを作る").click()
    page.get_by_label("調査キー").fill("library-users")
    page.get_by_label("調査名（日本語）").fill("図書館利用者アンケート")
    page.get_by_role("button", name="作る").click()
    page.get_by_role("link", name="調査名・説明・回答者・言語を編集").click()
    page.get_by_label("英語", exact=True).select_option("machine-draft")
    page.get_by_role("button", name="保存する").first.click()  # the English fields appear once saved
    assert '"en" の文がありません' in page.locator("#title_en-field").inner_text()
    page.get_by_label("調査名（英語）").fill("Library user survey")
    page.get_by_label("説明文（日本語）").fill("図書館をよりよくするため、ご意見をお聞かせください。")
    page.get_by_label("説明文（英語）").fill("Please help us improve the library.")
    page.get_by_role("button", name="保存する").first.click()
    assert page.locator("section.problems").count() == 0  # nothing left to fix in the settings
    page.get_by_role("link", name="下書きの一覧に戻る").click()
    for index, question in enumerate(QUESTIONS):
        if index:
            page.get_by_role("button", name="設問を追加").click()
        else:
            page.get_by_role("link", name="編集 （設問1）").click()
        _write_question(page, question)
    page.get_by_role("button", name="KPIを追加").click()
    page.get_by_label("KPI名（日本語）").fill("図書館職員の対応に満足している利用者の割合")
    page.get_by_label("数え方（日本語）").fill("「満足」＋「やや満足」")
    page.get_by_label("KPIキー").fill("staff_satisfaction_rate")
    page.get_by_label("KPI の元になる設問（単一回答の設問）").select_option("staff_satisfaction")
    page.get_by_role("button", name="保存する").first.click()
    success = page.locator("fieldset#success")
    success.get_by_label("満足（satisfied）").check()
    success.get_by_label("やや満足（somewhat_satisfied）").check()
    page.get_by_label("基準値", exact=True).fill("72.5%")
    page.get_by_label("基準値の年度（西暦）").fill("2025")
    page.get_by_label("目標値（数値目標がなければ空欄）").fill("80%")
    page.get_by_label("目標の年度（西暦）").fill("2030")
    page.get_by_role("button", name="保存する").first.click()
    page.get_by_role("link", name="下書きの一覧に戻る").click()
    assert "問題はありません" in page.locator("main").inner_text()


def _reorder_with_the_keyboard(tab: Tab) -> None:
    """「下へ」 and 「上へ」 by keyboard; the focus stays on the moved question."""
    page = tab.page
    page.get_by_role("button", name="下へ （設問1）").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "q-1"
    assert "visit_frequency" in page.locator("#q-1").inner_text()
    page.get_by_role("button", name="上へ （設問2）").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "visit_frequency" in page.locator("#q-0").inner_text()


def _preview_on_a_phone(browser: Any, live: LiveServer, state: str) -> None:
    phone = browser.new_context(viewport=PHONE, locale="ja-JP", storage_state=state)
    try:
        page = phone.new_page()
        page.goto(f"{live.url}/staff/surveys/library-users/draft")
        page.get_by_role("link", name="画面のプレビュー（日本語）").click()
        assert "プレビュー" in page.locator(".preview-banner").inner_text()
        assert page.locator("h1").inner_text() == "図書館利用者アンケート"
        # The first question is on the start page, under the introduction.
        assert page.locator("legend .question").first.inner_text() == QUESTIONS[0]["ja"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_label("週に1回以上").check()
        page.locator("main form button[type=submit]").click()
        page.get_by_role("link", name="English").click()
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("h1").inner_text() == QUESTIONS[1]["en"]
        page.get_by_label("Satisfied", exact=True).check()
        page.locator("main form button[type=submit]").click()
        page.locator("main form button[type=submit]").click()
        assert page.url.endswith("/draft/preview/en/done")
    finally:
        phone.close()


def _publish(tab: Tab, version: int, *, acknowledge: bool = False) -> str:
    page = tab.page
    page.get_by_role("link", name="変更点を確認して公開する").click()
    text = page.locator("main").inner_text()
    if acknowledge:
        page.get_by_role("button", name=f"第{version}版として公開する").click()
        assert page.title().startswith("エラー：")  # not published without the acknowledgement
        page.get_by_label("この変更で、これまでの年度の結果とそのまま比べられなくなることを確認しました").check()
    page.get_by_role("button", name=f"第{version}版として公開する").click()
    assert f"第{version}版を公開しました" in page.locator("main").inner_text()
    return text


def _open_and_answer(browser: Any, live: LiveServer) -> None:
    admin = Tab(browser, live.url, viewport=DESKTOP)
    try:
        _login(admin, ADMIN)
        admin.goto("/staff/surveys/library-users")
        admin.page.get_by_role("button", name="受付を開始する…").click()  # then confirmed
        admin.page.get_by_role("button", name="受付を開始する", exact=True).click()
        assert "受付中" in admin.page.locator("main").inner_text()
        admin.page.get_by_label("名前（例：市役所1階ポスター）").fill("中央図書館カウンター")
        admin.page.get_by_role("button", name="作成する").click()
        url = admin.page.locator("td code").first.inner_text()
    finally:
        admin.close()
    resident = Tab(browser, live.url)
    try:
        resident.goto(url)  # the first question is on the start page
        resident.page.get_by_label("月に1〜3回").check()
        resident.submit()
        resident.page.get_by_label("やや満足").check()
        resident.submit()
        resident.page.get_by_label(QUESTIONS[2]["ja"]).fill("雑誌の種類を増やしてほしいです。")
        resident.submit()
        assert "回答を受け付けました" in resident.page.locator("h1").inner_text()
    finally:
        resident.close()


def _add_a_question_in_excel(tab: Tab, folder: Path) -> Path:
    page = tab.page
    with page.expect_download() as download:
        page.get_by_role("link", name="下書きを Excel（.xlsx）でダウンロード").click()
    path = folder / "library-users.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook["設問"]
    columns = {sheet.cell(row=2, column=c).value: c for c in range(1, sheet.max_column + 1)}
    row = sheet.max_row + 1
    for key, value in {"key": "opening_hours", "type": "単一回答", "required": "いいえ",
                       "text.ja": "開館時間は利用しやすいですか。",
                       "text.en": "Are the opening hours convenient for you?"}.items():
        sheet.cell(row=row, column=columns[key], value=value)
    options = workbook["選択肢"]
    columns = {options.cell(row=2, column=c).value: c for c in range(1, options.max_column + 1)}
    for code, ja, en in (("yes", "利用しやすい", "Convenient"), ("no", "利用しにくい", "Not convenient")):
        row = options.max_row + 1
        for key, value in {"question": "opening_hours", "code": code, "text.ja": ja, "text.en": en}.items():
            options.cell(row=row, column=columns[key], value=value)
    workbook.save(path)
    return path


def test_a_survey_owner_creates_previews_publishes_and_revises_a_survey(
        browser: Any, live: LiveServer, tmp_path: Path) -> None:
    with live.app.app_context():
        create_staff(AUTHOR, PASSWORD, "author")
        create_staff(ADMIN, PASSWORD, "admin")
    tab = Tab(browser, live.url, viewport=DESKTOP)
    try:
        tab.context.set_default_timeout(15000)
        _login(tab, AUTHOR)
        _create_survey(tab)
        _reorder_with_the_keyboard(tab)
        state = str(tmp_path / "author.json")
        tab.context.storage_state(path=state)
        _preview_on_a_phone(browser, live, state)
        with live.app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(RespondentFlow)) == 0
        assert "初めての公開です" in _publish(tab, 1)
        _open_and_answer(browser, live)

        page = tab.page
        page.get_by_role("button", name="第1版をもとに下書きを作る").click()
        page.get_by_role("link", name="編集 （設問2）").click()
        page.locator("#options-0-text_ja").fill("とても満足")
        page.get_by_role("button", name="保存して一覧に戻る").click()
        diff = _publish(tab, 2, acknowledge=True)
        assert "選択肢の文言を変更（日本語）" in diff and "とても満足" in diff
        assert "これまでの年度の結果と比べられなくなる KPI があります" in diff

        page.get_by_role("button", name="第2版をもとに下書きを作る").click()
        workbook = _add_a_question_in_excel(tab, tmp_path)
        page.get_by_label("Excel・TOML ファイルを下書きとして読み込む").set_input_files(workbook)
        page.get_by_role("button", name="読み込む", exact=True).click()
        assert "を下書きとして読み込みました" in page.locator("main").inner_text()
        diff = _publish(tab, 3)
        assert "設問を追加" in diff and "開館時間は利用しやすいですか。" in diff
        assert "比べられなくなる" not in diff
    finally:
        tab.close()

    with live.app.app_context():
        survey = get_survey("library-users")
        assert [v.number for v in survey.versions] == [1, 2, 3]
        defn = version_definition(survey.current_version)
        assert [q.key for q in defn.questions] == ["visit_frequency", "staff_satisfaction", "comment", "opening_hours"]
        response = db.session.scalar(sa.select(Response).where(Response.survey_id == survey.id))
        assert response is not None and response.survey_version_id == survey.versions[0].id
        note = db.session.scalar(sa.select(ComparabilityNote))
        assert note.version.number == 2 and note.kpi_key == "staff_satisfaction_rate"
        assert note.acknowledged_by is not None
    result = live.app.test_cli_runner().invoke(args=["surveys", "export", "library-users"])
    assert result.exit_code == 0 and 'key = "opening_hours"' in result.output
