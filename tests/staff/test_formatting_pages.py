"""Staff pages write numbers, ranges and dates one way and choose 年度 from a list."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask

from tests.conftest import login
from tests.results.factories import add_responses, digital_services_sample

KPI = "/staff/kpis/public-transport/transport_dissatisfaction_rate"


def test_kpi_page_uses_one_range_style_a_real_minus_and_a_year_select(app: Flask) -> None:
    # 30 of 200 dissatisfied: 15.0%, 7 points below the 22% baseline.
    add_responses(app, "public-transport", [{"transport_satisfaction": "dissatisfied"}] * 30
                  + [{"transport_satisfaction": "satisfied"}] * 170)
    add_responses(app, "public-transport", [{"transport_satisfaction": "satisfied"}] * 40,
                  when=datetime(2025, 6, 1, 10, 0))
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get(KPI).get_data(as_text=True)
    assert re.search(r"\d+\.\d%〜\d+\.\d%", html) and " – " not in html
    assert "\u22127.0ポイント" in html and re.search(r"（95%信頼区間 \u2212\d+\.\d〜\u2212\d+\.\dポイント）", html)
    headings = re.findall(r"<(?:h[1-3]|dt|caption)[^>]*>(.*?)</(?:h[1-3]|dt|caption)>", html, re.S)
    assert headings and not [h for h in headings if re.search(r"（[^（）]*（", h)]  # no 「（令和8年度（…））」
    assert "割合＝「やや不満」＋「不満」の回答数" in html and "「「" not in html
    select = re.search(r'<select id="f-fiscal_year" name="fiscal_year">(.*?)</select>', html, re.S)
    assert select, "年度 is chosen from a list"
    assert '<option value="2026" selected>令和8年度（2026年度）</option>' in select.group(1)
    assert '<option value="2025">令和7年度（2025年度）</option>' in select.group(1)


def test_comment_dates_are_in_japanese_style_and_year_is_a_select(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(1, 0, comment="便利です"),
                  when=datetime(2026, 12, 1, 14, 5))
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/surveys/digital-services/comments").get_data(as_text=True)
    assert "2026年12月1日 14:05" in html
    assert '<select id="f-fiscal_year" name="fiscal_year"><option value="">すべての年度</option>' in html


def test_population_year_is_a_select_of_fiscal_years(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/population").get_data(as_text=True)
    assert re.search(r'<select id="fiscal_year" name="fiscal_year"[^>]*>.*<option selected value="2026">'
                     r"令和8年度（2026年度）</option>", html, re.S)
