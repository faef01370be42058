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


@pytest.mark.parametrize("path", PAGES)
def test_staff_page_has_no_serious_axe_violations(staff_tab: Tab, path: str) -> None:
    staff_tab.goto(path)
    assert "/staff/login" not in staff_tab.page.url
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
