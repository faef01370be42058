"""Staff results pages (and the public open-data page) under axe-core in Debian's Chromium:
no serious or critical violations, with data, suppressed cells and error messages on screen."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from surveyapp.auth.services import create_staff
from tests.results.factories import add_responses, digital_services_sample

from .conftest import LiveServer
from .helpers import Tab, axe_message

pytestmark = pytest.mark.browser

EMAIL = "axe-admin@city.example.jp"
PASSWORD = "a long enough password"
DESKTOP = {"width": 1280, "height": 900}
PAGES = [
    "/staff/",
    "/staff/kpis/digital-services/digital_satisfaction_rate",
    "/staff/kpis/digital-services/digital_satisfaction_rate?method=bogus",
    "/staff/surveys/digital-services/fieldwork?fiscal_year=2026",
    "/staff/surveys/counter/comments",
    "/staff/population",
    "/staff/report",
    "/staff/surveys/digital-services",
    "/staff/accounts",
    "/staff/accounts/1",
    "/staff/audit",
    "/staff/audit?from=2026-13-01",
    "/staff/account",
    "/staff/account/password",
    "/staff/reset",
    "/staff/surveys/digital-services/status?to=closed",
    "/staff/surveys/digital-services/demo/delete",
    "/staff/downloads",
    "/staff/report?kpi=digital-services/digital_satisfaction_rate&demo=exclude",
    "/open-data/",
]


@pytest.fixture(scope="module")
def staff_tab(browser: Any, live: LiveServer, axe_source: str) -> Any:
    sample = digital_services_sample(80, 120, not_used=12, comment='<b>"x"</b> =1+1')
    sample += [{"digital_satisfaction": "satisfied", "age_band": "18_29", "gender": "other"}] * 2
    add_responses(live.app, "digital-services", sample)
    add_responses(live.app, "counter", [{"counter_satisfaction": "satisfied", "comment": "ありがとう"}] * 3)
    with live.app.app_context():
        create_staff(EMAIL, PASSWORD, "admin")
    tab = Tab(browser, live.url, viewport=DESKTOP, axe_source=axe_source)
    tab.goto("/staff/login")
    tab.page.fill("input[name=email]", EMAIL)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.submit()
    yield tab
    tab.close()


def _no_serious_violations(tab: Tab, where: str) -> None:
    result = tab.axe()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe_message({"violations": serious}, where)


@pytest.mark.parametrize("path", PAGES)
def test_staff_page_has_no_serious_axe_violations(staff_tab: Tab, path: str) -> None:
    staff_tab.goto(path)
    assert "/staff/login" not in staff_tab.page.url
    _no_serious_violations(staff_tab, path)


def test_account_pages_with_messages_have_no_serious_axe_violations(staff_tab: Tab) -> None:
    """The one-time code page, and the account forms showing their error messages."""
    staff_tab.goto("/staff/accounts")
    staff_tab.page.fill("input[name=email]", "not an address")
    staff_tab.submit("form[action$='/staff/accounts'] button[type=submit]")
    assert "メールアドレスの形式が正しくありません" in staff_tab.page.content()
    _no_serious_violations(staff_tab, "account form with errors")
    staff_tab.page.fill("input[name=email]", "new-member@city.example.jp")
    staff_tab.page.select_option("select[name=role]", "analyst")
    staff_tab.submit("form[action$='/staff/accounts'] button[type=submit]")
    assert staff_tab.page.locator("#reset-code").count() == 1
    _no_serious_violations(staff_tab, "one-time code")
    staff_tab.goto("/staff/account/password")
    staff_tab.page.fill("input[name=current]", "wrong")
    staff_tab.page.fill("input[name=password]", "aaaaaaaaaaaa")
    staff_tab.page.fill("input[name=confirm]", "aaaaaaaaaaaa")
    staff_tab.submit()
    assert "推測されやすいパスワードです" in staff_tab.page.content()
    _no_serious_violations(staff_tab, "password change with errors")


# --------------------------------------------------------------------------- the survey editor

EDITOR_PAGES = [
    "/staff/surveys",
    "/staff/surveys?archived=1",
    "/staff/surveys/new",
    "/staff/surveys/digital-services/draft",
    "/staff/surveys/library-users/draft",
    "/staff/surveys/library-users/draft/settings",
    "/staff/surveys/library-users/draft/questions/0",
    "/staff/surveys/library-users/draft/kpis/0",
    "/staff/surveys/library-users/draft/questions/0/delete",
    "/staff/surveys/library-users/draft/preview/ja",
    "/staff/surveys/counter/draft",
    "/staff/surveys/counter/draft/questions/0",
    "/staff/surveys/counter/draft/kpis/0",
    "/staff/surveys/counter/draft/publish",
    "/staff/surveys/counter/draft/preview/ja",
    "/staff/surveys/counter/draft/preview/en/1",
    "/staff/surveys/counter/draft/preview/ja-easy/4",
    "/staff/surveys/counter/draft/preview/pt-BR/done",
    "/staff/surveys/counter/draft/paper",
    "/staff/surveys/counter/draft/paper?lang=ja-easy",
    "/staff/surveys/library-users/draft/paper",
]


@pytest.fixture(scope="module")
def editor_drafts(live: LiveServer) -> None:
    """A new survey whose draft has problems, and a draft of counter that breaks comparability."""
    import copy

    from surveyapp.surveys import drafts, lifecycle
    from surveyapp.surveys.services import get_survey

    with live.app.app_context():
        survey = lifecycle.create_survey("library-users", "図書館利用者アンケート", user_id=None)
        drafts.add_kpi(survey, revision=1, user_id=None)
        counter = get_survey("counter")
        drafts.start_draft(counter, user_id=None)
        question = copy.deepcopy(counter.draft.definition["questions"][0])
        question["options"][0]["text"]["ja"] = "大変満足"
        drafts.save_question(counter, 0, revision=1, user_id=None, question=question, same_page=False)


@pytest.mark.parametrize("path", EDITOR_PAGES)
def test_editor_page_has_no_axe_violations(staff_tab: Tab, editor_drafts: None, path: str) -> None:
    response = staff_tab.goto(path)
    assert response["status"] in (200, 409), path
    result = staff_tab.axe()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe_message({"violations": serious}, path)


# --------------------------------------------------------------------------- paper entry

PAPER_LANGUAGES = ("ja", "ja-easy", "pt-BR", "en", "vi")


@pytest.fixture(scope="module")
def paper_pages(staff_tab: Tab, live: LiveServer) -> dict[str, str]:
    """A batch with a counted questionnaire, one whose entries differ and one whose code was
    used on the web; returns the paths of their pages."""
    from surveyapp.paper.services import create_batch, key_entry
    from surveyapp.surveys.services import get_survey
    from tests.invitations.helpers import codes_wave
    from tests.paper.helpers import ANSWERS
    from tests.paper.test_codes import _answer_on_the_web

    _wave, codes = codes_wave(live.app, count=2, label="紙の試験発送")
    _answer_on_the_web(live.app, codes[0])
    with live.app.app_context():
        first = create_staff("paper-a@city.example.jp", PASSWORD, "data-entry").id
        second = create_staff("paper-b@city.example.jp", PASSWORD, "data-entry").id
        batch = create_batch(get_survey("digital-services"), label="6月3日受付分",
                             received_on=date(2026, 6, 3), expected=4)
        for user in (first, second):
            key_entry(batch, user_id=user, serial=1, code="", values=ANSWERS)
            key_entry(batch, user_id=user, serial=3, code=codes[0], values=ANSWERS)
        key_entry(batch, user_id=first, serial=2, code="", values=ANSWERS)
        differing = key_entry(batch, user_id=second, serial=2, code=codes[1],
                              values=dict(ANSWERS, gender="male", comment="ちがう"))
        key_entry(batch, user_id=first, serial=4, code="", values=ANSWERS)
        duplicate = next(q for q in batch.questionnaires if q.serial == 3)
        assert differing.outcome == "discrepancies" and duplicate.state == "duplicate"
        return {"batch": f"/staff/paper/batches/{batch.id}", "entry": f"/staff/paper/batches/{batch.id}/entry",
                "discrepancies": f"/staff/paper/questionnaires/{differing.questionnaire.id}",
                "duplicate": f"/staff/paper/questionnaires/{duplicate.id}"}


PAPER_PAGES = ["/staff/paper", "batch", "entry", "discrepancies", "duplicate",
               *(f"/staff/surveys/digital-services/paper?lang={lang}&start=1&end=2" for lang in PAPER_LANGUAGES),
               "/staff/surveys/digital-services/paper?start=5&end=1"]


@pytest.mark.parametrize("page", PAPER_PAGES)
def test_paper_pages_have_no_axe_violations(staff_tab: Tab, paper_pages: dict[str, str], page: str) -> None:
    path = paper_pages.get(page, page)
    staff_tab.goto(path)
    assert "/staff/login" not in staff_tab.page.url
    result = staff_tab.axe()
    assert not result["violations"], axe_message(result, path)


@pytest.mark.parametrize("form", ["entry", "discrepancies", "duplicate", "/staff/paper"])
def test_paper_forms_with_errors_have_no_axe_violations(staff_tab: Tab, paper_pages: dict[str, str],
                                                        form: str) -> None:
    path = paper_pages.get(form, form)
    staff_tab.goto(path)
    staff_tab.submit("main form[method=post] button[type=submit]")
    assert "エラー：" in staff_tab.page.title()
    result = staff_tab.axe()
    assert not result["violations"], axe_message(result, path + " (errors)")
    assert not result["violations"], axe_message(result, path)


def test_editor_error_states_have_no_axe_violations(staff_tab: Tab, editor_drafts: None) -> None:
    staff_tab.goto("/staff/surveys/counter/draft/publish")
    staff_tab.submit("main form button.button[type=submit]")
    assert staff_tab.page.title().startswith("エラー：")
    result = staff_tab.axe()
    assert not result["violations"], axe_message(result, "publish without acknowledgement")
    staff_tab.goto("/staff/surveys/counter/draft")
    staff_tab.page.get_by_label("Excel・TOML ファイルを下書きとして読み込む").set_input_files(
        files=[{"name": "counter.xlsx", "mimeType": "application/octet-stream", "buffer": b"not a workbook"}])
    staff_tab.submit("form.upload button[type=submit]")
    assert "ファイルを読み込めませんでした" in staff_tab.page.locator("h1").inner_text()
    result = staff_tab.axe()
    assert not result["violations"], axe_message(result, "upload with problems")
    staff_tab.goto("/staff/surveys/new")
    staff_tab.page.get_by_label("調査キー").fill("Bad Key")
    staff_tab.submit("main form button[type=submit]")
    result = staff_tab.axe()
    assert not result["violations"], axe_message(result, "new survey with a bad key")


def test_closing_date_confirmation_is_accessible_and_leaves_the_survey_open(staff_tab: Tab,
                                                                           live: LiveServer) -> None:
    from surveyapp.surveys.services import get_survey
    from surveyapp.timeutil import utcnow

    staff_tab.goto("/staff/surveys/counter")
    staff_tab.page.fill("#closes_at", "2020-04-01T09:00")
    staff_tab.submit("form[action$='/schedule'] button[type=submit]")
    panel = staff_tab.page.locator("#confirm-panel")
    assert panel.is_visible() and "受付中 → 終了" in " ".join(panel.inner_text().split())
    _no_serious_violations(staff_tab, "schedule confirmation")
    with live.app.app_context():
        assert get_survey("counter").is_accepting(utcnow())


@pytest.mark.parametrize("language", [None, "pt-BR", "ja-easy"])
def test_qr_poster_has_no_axe_violations(staff_tab: Tab, live: LiveServer,
                                         language: str | None) -> None:
    from surveyapp.surveys.services import create_link, get_survey

    code = live.codes["digital-services"]
    if language is not None:
        with live.app.app_context():
            code = create_link(get_survey("digital-services"), label=f"poster {language}",
                               channel="poster-qr", default_language=language).code
    staff_tab.goto(f"/staff/links/{code}/poster")
    result = staff_tab.axe()
    assert result["violations"] == [], axe_message(result, f"poster {language}")
