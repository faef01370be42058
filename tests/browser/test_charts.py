"""The trend chart in Chromium, printed on A4: values built to collide with the baseline and the
target (81.5% between 79.2% and 85.0%, and one exactly on the target) yet no two rendered texts
overlap, no value text is crossed by a line, and every text is at least 9 pt on paper."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from surveyapp.auth.services import create_staff
from tests.results.factories import add_responses

from .conftest import LiveServer
from .helpers import Tab

pytestmark = pytest.mark.browser

EMAIL = "chart-analyst@city.example.jp"
PASSWORD = "a long enough password"
A4_CONTENT = {"width": 703, "height": 1000}  # 186 mm at 96 px per inch: A4 less the report's margins
PAGES = ["/staff/kpis/digital-divide-course/course_satisfaction_rate",
         "/staff/report?kpi=digital-divide-course/course_satisfaction_rate"]

MEASURE = """() => [...document.querySelectorAll('svg.trend')].map((svg) => {
    const scale = svg.getScreenCTM().a;  // CSS px per SVG unit as laid out
    const texts = [...svg.querySelectorAll('text')].map((t) => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, kind: t.getAttribute('class'), left: r.left, right: r.right,
                top: r.top, bottom: r.bottom, px: parseFloat(getComputedStyle(t).fontSize) * scale};
    });
    const lines = [...svg.querySelectorAll('line[stroke-dasharray]')].map((l) => {
        const r = l.getBoundingClientRect();
        return {left: r.left, right: r.right, y: (r.top + r.bottom) / 2};
    });
    return {texts, lines};
})"""


@pytest.fixture(scope="module")
def printed(browser: Any, live: LiveServer) -> Any:
    course = "digital-divide-course"
    add_responses(live.app, course, [{"course_satisfaction": "satisfied"}] * 163
                  + [{"course_satisfaction": "dissatisfied"}] * 37, when=datetime(2025, 10, 1, 10))
    add_responses(live.app, course, [{"course_satisfaction": "satisfied"}] * 170
                  + [{"course_satisfaction": "dissatisfied"}] * 30, when=datetime(2026, 10, 1, 10))
    with live.app.app_context():
        create_staff(EMAIL, PASSWORD, "analyst")
    tab = Tab(browser, live.url, viewport=A4_CONTENT)
    tab.goto("/staff/login")
    tab.page.fill("input[name=email]", EMAIL)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.submit()
    tab.page.emulate_media(media="print")
    yield tab
    tab.close()


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    tolerance = 0.5
    return (a["left"] + tolerance < b["right"] and b["left"] + tolerance < a["right"]
            and a["top"] + tolerance < b["bottom"] and b["top"] + tolerance < a["bottom"])


@pytest.mark.parametrize("path", PAGES)
def test_printed_chart_texts_are_apart_and_at_least_9_pt(printed: Tab, path: str) -> None:
    printed.goto(path)
    charts = printed.page.evaluate(MEASURE)
    assert charts, path
    for chart in charts:
        texts = chart["texts"]
        shown = {t["text"] for t in texts}
        assert {"81.5%", "85.0%", "目標 85.0%", "基準値 79.2%"} <= shown, shown
        for index, first in enumerate(texts):
            assert first["px"] * 0.75 >= 9.0, (path, first["text"], round(first["px"] * 0.75, 2))
            for second in texts[index + 1:]:
                assert not _overlap(first, second), (path, first, second)
        for text in (t for t in texts if t["kind"] == "chart-value"):
            inner_top = text["top"] + (text["bottom"] - text["top"]) * 0.2  # the glyphs, not the line gap
            inner_bottom = text["bottom"] - (text["bottom"] - text["top"]) * 0.2
            for line in chart["lines"]:
                crosses = line["left"] < text["right"] and text["left"] < line["right"]
                assert not (crosses and inner_top < line["y"] < inner_bottom), (path, text, line)
