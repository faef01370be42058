"""Staff results at 1,366 px (a common office screen): the headline figures — year, n, rate,
interval, verdict — are on screen without scrolling sideways, on the KPI page and the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from surveyapp.auth.services import create_staff
from tests.results.factories import add_responses, digital_services_sample

from .conftest import LiveServer
from .helpers import Tab

pytestmark = pytest.mark.browser

EMAIL = "layout-analyst@city.example.jp"
PASSWORD = "a long enough password"
DESKTOP = {"width": 1366, "height": 768}
KPI = "/staff/kpis/digital-services/digital_satisfaction_rate?demo=include"


@pytest.fixture(scope="module")
def desk(browser: Any, live: LiveServer) -> Any:
    add_responses(live.app, "digital-services", digital_services_sample(90, 180, not_used=20))
    add_responses(live.app, "digital-services", digital_services_sample(60, 130),
                  when=datetime(2025, 9, 1, 10, 0))
    result = live.app.test_cli_runner().invoke(args=[
        "demo", "responses", "--survey", "staff-generative-ai", "--count", "150", "--seed", "2"])
    assert result.exit_code == 0, result.output
    with live.app.app_context():
        create_staff(EMAIL, PASSWORD, "analyst")
    tab = Tab(browser, live.url, viewport=DESKTOP)
    tab.goto("/staff/login")
    tab.page.fill("input[name=email]", EMAIL)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.submit()
    yield tab
    tab.close()


def _visible_without_sideways_scroll(tab: Tab, table: str, headers: list[str]) -> None:
    page = tab.page
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    wrap = page.locator(f"{table}").locator("xpath=ancestor::div[contains(@class,'table-wrap')]")
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1], f"{table} scrolls sideways: {sizes}"
    for text in headers:
        cell = page.locator(f"{table} thead th", has_text=text).first
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], text


def test_kpi_page_leads_with_the_headline_figures(desk: Tab) -> None:
    desk.goto(KPI)
    _visible_without_sideways_scroll(desk, "table.year-table",
                                     ["年度", "n", "割合", "信頼区間", "目標の判定"])
    first = [t.strip() for t in desk.page.locator("table.year-table thead th").all_inner_texts()]
    assert first[:6] == ["年度", "回答数", "n", "該当数", "割合", "信頼区間"]
    # The option counts are a table of their own, after the headline table.
    assert desk.page.locator("table.option-table").count() == 1
    assert "やや満足" not in " ".join(first)


def test_dashboard_table_fits_with_its_trend_column(desk: Tab) -> None:
    desk.goto("/staff/")
    _visible_without_sideways_scroll(desk, "table.kpi-table",
                                     ["KPI", "年度", "n", "割合", "信頼区間", "目標の判定", "推移"])
    assert desk.page.locator("table.kpi-table svg.spark").count() >= 2
