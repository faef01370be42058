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
    "/staff/accounts",
    "/staff/accounts/1",
    "/staff/audit",
    "/staff/audit?from=2026-13-01",
    "/staff/account",
    "/staff/account/password",
    "/staff/reset",
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
