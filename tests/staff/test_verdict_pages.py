"""A target due in a later fiscal year is never reported as missed: before 令和12年度 the KPI
pages show the position on the straight path from the baseline to the target, with the rule."""

from __future__ import annotations

from flask import Flask

from tests.conftest import login
from tests.results.factories import add_responses

GENAI = "/staff/kpis/staff-generative-ai/staff_genai_use_rate"


def test_genai_kpi_in_fy2026_is_an_interim_position_not_a_failure(app: Flask) -> None:
    # 45% of 150 staff in FY2026: far below the 80% target due in FY2030.
    add_responses(app, "staff-generative-ai", [{"genai_use": "weekly"}] * 68
                  + [{"genai_use": "never"}] * 82)
    client = app.test_client()
    login(client, app, "analyst")
    for url in ("/staff/", GENAI, "/staff/report"):
        html = client.get(url).get_data(as_text=True)
        assert "verdict-not_reached" not in html and ">未達成<" not in html, url
        assert "令和12年度の目標へ" in html, url
    page = client.get(GENAI).get_data(as_text=True)
    assert ("目標年度の令和12年度（2030年度）より前のため、目標に届いたかではなく、"
            "目標へ向かう途中の位置を示します。") in page
    assert "この年度の値は 49.6% です" in page  # 42% in FY2025 → 80% in FY2030, one fifth of the way
    assert "順調か判断できない" in page or "遅れ" in page
