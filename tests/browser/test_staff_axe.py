"""Staff results pages (and the public open-data page) under axe-core in Debian's Chromium:
no serious or critical violations, with data, suppressed cells and error messages on screen."""

from __future__ import annotations

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
