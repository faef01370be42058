"""Invitation pages in Debian's Chromium: the code pages in every language under axe-core, an
invitation answered on a phone without JavaScript, the layout at 320 px, the staff pages, and
the letters printed to PDF one per A4 page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from surveyapp.auth.services import create_staff
from surveyapp.invitations.codes import display
from surveyapp.invitations.frame import parse_frame
from surveyapp.invitations.services import find_invitation, invitation_claim
from surveyapp.invitations.waves import DrawPlan, LetterDetails, create_drawn_wave
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from tests.invitations.test_frame import EXAMPLE

from .conftest import LiveServer, Recorder
from .helpers import LANGUAGES, PAGE_BUDGET, PHONE, Tab, axe_message, plan_answers
from .test_pages import NARROW, _layout

pytestmark = pytest.mark.browser

EMAIL = "invitations-admin@city.example.jp"
PASSWORD = "a long enough password"
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def wave(live: LiveServer) -> dict[str, Any]:
    """A drawn wave of 60 with its codes; the first code already answered."""
    frame = parse_frame(EXAMPLE.read_bytes(), ["age_band", "gender"])
    with live.app.app_context():
        survey = get_survey("digital-services")
        created = create_drawn_wave(survey, label="第1回発送", frame=frame, plan=DrawPlan(n=60, seed="7"),
                                    details=LetterDetails(deadline=None, minutes=10, contact="総合政策課",
                                                          with_paper=True))
        codes = [display(i.code) for i in sorted(created.invitations, key=lambda i: i.serial)]
        version = survey.current_version
        assert version is not None
        invitation = find_invitation(codes[0])
        submit_response(defn=version_definition(version), version=version, link=created.wave.link,
                        channel="invitation", client_uuid=uuid.uuid4(),
                        answers={"digital_satisfaction": "satisfied"},
                        claim=invitation_claim(invitation.id, "invitation"))
        create_staff(EMAIL, PASSWORD, "admin")
        return {"id": created.wave.id, "codes": codes}


def _axe(tab: Tab, recorder: Recorder, measured: dict[str, Any], kind: str, language: str) -> None:
    result = tab.axe()
    recorder.visit(kind=kind, survey="digital-services", language=language, js=True,
                   path=tab.page.url.removeprefix(tab.base_url), bytes=measured["bytes"],
                   requests=measured["requests"], fonts=measured["fonts"], foreign=len(measured["foreign"]),
                   axe={k: result[k] for k in ("violations", "passes", "incomplete")})
    assert measured["bytes"] <= PAGE_BUDGET and measured["fonts"] == 0 and measured["foreign"] == []
    assert result["violations"] == [], axe_message(result, f"{kind} in {language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_code_pages_have_no_axe_violations(browser: Any, live: LiveServer, wave: dict[str, Any],
                                           recorder: Recorder, axe_source: str, language: str) -> None:
    tab = Tab(browser, live.url, axe_source=axe_source)
    try:
        tab.set_language(language)
        _axe(tab, recorder, tab.goto("/code"), "code-entry", language)
        tab.page.fill("#code", "KX7-P42")
        measured = tab.submit()
        assert tab.page.title().startswith(("エラー", "Erro", "Error", "Lỗi"))
        # autofocus is applied at the next rendering update: wait for it (a slow machine).
        tab.page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'",
                                   timeout=10_000)
        _axe(tab, recorder, measured, "code-error", language)
        index = 1 + LANGUAGES.index(language)
        measured = tab.goto(f"/i/{wave['codes'][index]}")
        assert tab.page.url.endswith("/code/start")  # the code is not left in the address bar
        _axe(tab, recorder, measured, "code-start", language)
        _axe(tab, recorder, tab.goto(f"/i/{wave['codes'][0]}"), "code-received", language)
        assert tab.page.url.endswith("/code/received")
    finally:
        tab.close()


def test_an_invitation_answered_on_a_phone_without_javascript(browser: Any, live: LiveServer,
                                                              wave: dict[str, Any]) -> None:
    code = wave["codes"][10]
    with live.app.app_context():
        defn = version_definition(get_survey("digital-services").current_version)  # type: ignore[arg-type]
    answers = plan_answers(defn, 1, "ja")
    tab = Tab(browser, live.url, js=False, viewport=PHONE)
    try:
        tab.goto("/")
        tab.page.click("a.code-link")
        tab.page.fill("#code", code.lower().replace("-", ""))
        tab.submit()
        assert tab.page.url.endswith("/code/start")
        tab.page.screenshot(path="/tmp/invitation-start-phone.png", full_page=True)
        tab.submit()
        pages = defn.pages()
        for number, questions in enumerate(pages, start=1):
            assert tab.page.url.endswith(f"/p/{number}")
            for question in questions:
                value = answers[question.key]
                if question.type == "single":
                    tab.page.check(f'input[name="{question.key}"][value="{value}"]')
                elif question.type == "multiple":
                    for option in value:
                        tab.page.check(f'input[name="{question.key}"][value="{option}"]')
                else:
                    tab.page.fill(f'[name="{question.key}"]', value)
            tab.submit()
        assert tab.page.url.endswith("/done")
        tab.goto(f"/i/{code}")
        assert tab.page.url.endswith("/code/received")
    finally:
        tab.close()
    with live.app.app_context():
        assert find_invitation(code).state == "used"


def test_code_page_at_320px(browser: Any, live: LiveServer, recorder: Recorder) -> None:
    tab = Tab(browser, live.url, viewport=NARROW)
    try:
        tab.goto("/code")
        _layout(tab, "code page", recorder)
        tab.submit()
        _layout(tab, "code page with error", recorder)
    finally:
        tab.close()


@pytest.fixture(scope="module")
def staff_tab(browser: Any, live: LiveServer, wave: dict[str, Any], axe_source: str) -> Any:
    tab = Tab(browser, live.url, viewport=DESKTOP, axe_source=axe_source)
    tab.goto("/staff/login")
    tab.page.fill("input[name=email]", EMAIL)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.submit()
    yield tab
    tab.close()


@pytest.mark.parametrize("path", [
    "/staff/surveys/digital-services/waves", "/staff/waves/{id}", "/staff/waves/{id}/letters?start=1&end=3",
    "/staff/waves/{id}/undelivered", "/staff/surveys/digital-services/fieldwork",
    "/staff/kpis/digital-services/digital_satisfaction_rate"])
def test_staff_invitation_pages_have_no_serious_axe_violations(staff_tab: Tab, wave: dict[str, Any],
                                                                path: str) -> None:
    staff_tab.goto(path.format(id=wave["id"]))
    assert "/staff/login" not in staff_tab.page.url
    result = staff_tab.axe()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe_message({"violations": serious}, path)


def test_letters_print_one_per_a4_page(staff_tab: Tab, wave: dict[str, Any]) -> None:
    staff_tab.goto(f"/staff/waves/{wave['id']}/letters?start=1&end=4")
    staff_tab.page.emulate_media(media="print")
    pdf = staff_tab.page.pdf(format="A4", print_background=True, path="/tmp/invitation-letters.pdf")
    staff_tab.page.emulate_media(media="screen")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 4
