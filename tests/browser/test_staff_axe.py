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


@pytest.mark.parametrize("path", PAGES)
def test_staff_page_has_no_serious_axe_violations(staff_tab: Tab, path: str) -> None:
    staff_tab.goto(path)
    assert "/staff/login" not in staff_tab.page.url
    result = staff_tab.axe()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe_message({"violations": serious}, path)


def test_closing_date_confirmation_is_accessible_and_leaves_the_survey_open(staff_tab: Tab,
                                                                           live: LiveServer) -> None:
    from surveyapp.surveys.services import get_survey
    from surveyapp.timeutil import utcnow

    staff_tab.goto("/staff/surveys/counter")
    staff_tab.page.fill("#closes_at", "2020-04-01T09:00")
    staff_tab.submit("form[action$='/schedule'] button[type=submit]")
    panel = staff_tab.page.locator("#confirm-panel")
    assert panel.is_visible() and "受付中 → 終了" in " ".join(panel.inner_text().split())
    result = staff_tab.axe()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe_message({"violations": serious}, "schedule confirmation")
    with live.app.app_context():
        assert get_survey("counter").is_accepting(utcnow())
