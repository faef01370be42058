"""Paper questionnaires in Debian's Chromium: keyed with the keyboard only (with and without
JavaScript), and printed to PDF with every question whole on one page."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa

from surveyapp.auth.services import create_staff
from surveyapp.extensions import db
from surveyapp.paper.models import PaperEntry
from surveyapp.surveys.services import get_survey, version_definition

from .conftest import LiveServer
from .helpers import Tab

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"
DESKTOP = {"width": 1366, "height": 768}


def _tab(browser: Any, live: LiveServer, email: str, *, js: bool) -> Tab:
    with live.app.app_context():
        from surveyapp.auth.models import StaffUser

        if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)) is None:
            create_staff(email, PASSWORD, "data-entry")
    tab = Tab(browser, live.url, js=js, viewport=DESKTOP)
    tab.goto("/staff/login")
    tab.page.fill("input[name=email]", email)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.submit()
    return tab


@pytest.fixture(scope="module")
def batch_id(browser: Any, live: LiveServer) -> int:
    tab = _tab(browser, live, "maker@city.example.jp", js=False)
    tab.goto("/staff/paper")
    tab.page.select_option("#survey", "digital-services")
    tab.page.fill("#label", "キーボード試験")
    tab.page.fill("#expected", "5")
    tab.submit("main form[method=post] button[type=submit]")
    number = int(tab.page.url.rstrip("/").rsplit("/", 1)[1])
    tab.close()
    return number


def _stored(live: LiveServer, serial: int) -> dict[str, Any]:
    from surveyapp.paper.models import PaperQuestionnaire

    with live.app.app_context():
        entry = db.session.scalar(sa.select(PaperEntry).join(PaperQuestionnaire).where(
            PaperQuestionnaire.serial == serial))
        assert entry is not None, f"No.{serial} was not stored"
        return dict(entry.values)


def test_keying_with_tab_arrows_and_space_only_without_javascript(browser: Any, live: LiveServer,
                                                                 batch_id: int) -> None:
    tab = _tab(browser, live, "nojs@city.example.jp", js=False)
    tab.goto(f"/staff/paper/batches/{batch_id}/entry")
    keys = tab.page.keyboard
    assert tab.page.evaluate("document.activeElement.id") == "serial"  # the cursor starts on the serial
    keys.type("21")
    keys.press("Tab")
    keys.press("Tab")  # no code on this sheet
    keys.press("Space")           # 問1: the first box (1 満足) …
    keys.press("ArrowRight")      # … moved on to 2 やや満足
    keys.press("Tab")             # 問2: check boxes, one tab stop each
    keys.press("Space")           # 1 行政手続のオンライン申請
    for _ in range(4):
        keys.press("Tab")
    keys.press("Space")           # 5 市ホームページ
    for _ in range(6):
        keys.press("Tab")         # past 6–9 and 判読不能 to 問3
    keys.press("Space")           # 1 18〜29歳
    keys.press("Tab")
    for _ in range(3):
        keys.press("ArrowRight")  # 問4: 1 → 4th choice (0 無回答)
    keys.press("Tab")
    keys.press("Space")
    for _ in range(8):
        keys.press("ArrowRight")  # 問5: 1 → 9th choice (* 複数回答・判読不能)
    keys.press("Tab")
    keys.type("ありがとう")
    keys.press("Tab")
    with tab.page.expect_navigation():
        keys.press("Enter")       # on 「保存して次の調査票へ」
    assert "No.21 の1回目を保存しました" in tab.page.content()
    assert _stored(live, 21) == {"digital_satisfaction": "somewhat_satisfied",
                                 "services_used": ["online_application", "website"], "age_band": "18_29",
                                 "gender": "-", "area": "*", "comment": "ありがとう"}
    tab.close()


def test_number_keys_pick_the_numbered_boxes_with_javascript(browser: Any, live: LiveServer, batch_id: int) -> None:
    tab = _tab(browser, live, "js@city.example.jp", js=True)
    tab.goto(f"/staff/paper/batches/{batch_id}/entry")
    keys = tab.page.keyboard
    keys.type("22")
    keys.press("Enter")            # Enter moves on instead of sending the form
    assert tab.page.evaluate("document.activeElement.id") == "code"
    keys.press("Enter")
    keys.press("4")                # 問1: 4 不満, then straight on to 問2
    keys.press("3")                # 問2: 3 and 6 ticked …
    keys.press("6")
    keys.press("3")                # … and 3 unticked again
    keys.press("Enter")
    keys.press("6")                # 問3: 6 70歳以上
    keys.press("0")                # 問4: 無回答
    keys.press(".")                # 問5: 複数回答・判読不能 (. like * on the numeric keypad)
    assert tab.page.evaluate("document.activeElement.id") == "q_comment"
    keys.press("Tab")
    with tab.page.expect_navigation():
        keys.press("Enter")
    assert "No.22 の1回目を保存しました" in tab.page.content()
    assert _stored(live, 22) == {"digital_satisfaction": "dissatisfied", "services_used": ["line"],
                                 "age_band": "70_over", "gender": "-", "area": "*", "comment": ""}
    assert not tab.console_errors
    tab.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_printed_questionnaire_keeps_every_question_on_one_page(browser: Any, live: LiveServer,
                                                                    language: str) -> None:
    tab = _tab(browser, live, "printer@city.example.jp", js=True)
    tab.goto(f"/staff/surveys/digital-services/paper?lang={language}&start=1&end=2")
    pdf = tab.page.pdf(format="A4", prefer_css_page_size=True)
    tab.close()
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    with live.app.app_context():
        version = get_survey("digital-services").current_version
        assert version is not None
        defn = version_definition(version)
    prefix = "Q" if language == "en" else "問"
    copies = [i for i, text in enumerate(pages) if re.search(r"No\.\s?000[12]", text)]
    assert len(copies) == 2 and copies[0] == 0  # each copy starts on a page of its own
    per_copy = copies[1]
    assert len(pages) == 2 * per_copy
    for number, question in enumerate(defn.questions, start=1):
        holding = [i for i, text in enumerate(pages[:per_copy]) if re.search(rf"{prefix}\s?{number}(?!\d)", text)]
        assert len(holding) == 1, (number, holding)
        text = pages[holding[0]].replace(" ", "")
        label = question.options[-1].text[language] if question.options else None
        if label:  # the last box of the question is on the same page as its heading
            assert label.replace(" ", "") in text, (number, label)
