"""The pages around the questions in every language (landing, closed survey) and the layout at
320 CSS px (the width of a small phone, and of a 1280 px window at 400 % zoom)."""

from __future__ import annotations

from typing import Any

import pytest

from surveyapp.i18n import TEXT_SIZE_COOKIE, html_lang
from surveyapp.surveys.services import get_survey, set_schedule

from .conftest import LiveServer, Recorder
from .helpers import LANGUAGES, PAGE_BUDGET, Tab, axe_message

pytestmark = pytest.mark.browser

CLOSED = "digital-divide-course"
NARROW = {"width": 320, "height": 640}
TARGETS = ".choice, button, .button, .languages a, .text-size a, .back-link, .survey-list a"

LAYOUT_PROBE = """(selector) => {
    const doc = document.documentElement;
    const rects = [...document.querySelectorAll(selector)].map((el) => {
        const r = el.getBoundingClientRect();
        return {name: el.className || el.tagName, text: el.textContent.trim().slice(0, 30),
                left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY,
                width: r.width, height: r.height};
    });
    const small = rects.filter((r) => r.width < 44 || r.height < 44);
    const close = [];
    for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
            const a = rects[i], b = rects[j];
            const dx = Math.max(b.left - a.right, a.left - b.right);
            const dy = Math.max(b.top - a.bottom, a.top - b.bottom);
            const gap = Math.max(dx, dy);
            if (gap < 7.5) close.push([a.text, b.text, gap]);
        }
    }
    return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
            bodyScroll: document.body.scrollWidth, count: rects.length, small, close};
}"""


@pytest.fixture(scope="module")
def closed_live(live: LiveServer) -> LiveServer:
    with live.app.app_context():
        set_schedule(get_survey(CLOSED), status="closed", opens_at=None, closes_at=None,
                     user_id=None)
    return live


def _record(recorder: Recorder, tab: Tab, measured: dict[str, Any], axe: dict[str, Any],
            kind: str, language: str, survey: str = "") -> None:
    recorder.visit(kind=kind, survey=survey, language=language, js=True,
                   path=tab.page.url.removeprefix(tab.base_url), bytes=measured["bytes"],
                   requests=measured["requests"], fonts=measured["fonts"],
                   foreign=len(measured["foreign"]),
                   axe={k: axe[k] for k in ("violations", "passes", "incomplete")})


@pytest.mark.parametrize("language", LANGUAGES)
def test_landing_and_closed_pages(browser: Any, closed_live: LiveServer, recorder: Recorder,
                                  axe_source: str, language: str) -> None:
    live = closed_live
    tab = Tab(browser, live.url, axe_source=axe_source)
    try:
        tab.set_language(language)
        for kind, path, status in (("landing", "/", 200), ("closed", live.link(CLOSED), 410)):
            measured = tab.goto(path)
            assert measured["status"] == status, (kind, measured)
            assert tab.page.get_attribute("html", "lang") == html_lang(language)
            assert measured["bytes"] <= PAGE_BUDGET and measured["fonts"] == 0
            assert measured["foreign"] == []
            axe = tab.axe()
            _record(recorder, tab, measured, axe, kind, language,
                    CLOSED if kind == "closed" else "")
            assert axe["violations"] == [], axe_message(axe, f"{kind} page in {language}")
        # The closed survey is not listed on the landing page.
        tab.goto("/")
        assert tab.page.locator(f'a[href="/s/{live.codes[CLOSED]}"]').count() == 0
    finally:
        tab.close()


def _layout(tab: Tab, where: str, recorder: Recorder) -> None:
    probe = tab.page.evaluate(LAYOUT_PROBE, TARGETS)
    ok = (probe["scrollWidth"] <= probe["clientWidth"] and probe["bodyScroll"] <= probe["clientWidth"]
          and not probe["small"] and not probe["close"])
    recorder.check("layout-320", ok, targets=recorder.checks.get("layout-320", {}).get(
        "targets", 0) + probe["count"])
    assert probe["scrollWidth"] <= probe["clientWidth"], (where, probe)
    assert probe["bodyScroll"] <= probe["clientWidth"], (where, probe)
    assert probe["count"] > 0, where
    assert probe["small"] == [], (where, probe["small"])
    assert probe["close"] == [], (where, probe["close"])


# Large text is checked in the densest (ja) and the longest (pt-BR) language.
LAYOUTS = [(language, False) for language in LANGUAGES] + [("ja", True), ("pt-BR", True)]


@pytest.mark.parametrize(("language", "large"), LAYOUTS,
                         ids=[f"{lang}-{'large' if large else 'standard'}" for lang, large in LAYOUTS])
def test_no_horizontal_scroll_and_large_targets_at_320px(browser: Any, live: LiveServer,
                                                         recorder: Recorder, language: str,
                                                         large: bool) -> None:
    tab = Tab(browser, live.url, viewport=NARROW)
    try:
        tab.set_language(language)
        if large:
            tab.context.add_cookies([{"name": TEXT_SIZE_COOKIE, "value": "large",
                                      "url": live.url}])
        code = live.codes["digital-services"]
        tab.goto("/")
        assert ("large-text" in (tab.page.get_attribute("html", "class") or "")) is large
        _layout(tab, f"landing {language}", recorder)
        tab.goto(f"/s/{code}")
        _layout(tab, f"start {language}", recorder)
        tab.submit()  # nothing chosen: the error state (on the start page, with the first question)
        _layout(tab, f"error {language}", recorder)
        tab.page.check('input[name="digital_satisfaction"][value="not_used"]')
        tab.submit()
        _layout(tab, f"check boxes {language}", recorder)
        for _page in range(4):
            tab.submit()
        assert tab.page.url.endswith("/p/6")
        _layout(tab, f"text {language}", recorder)
        tab.submit()
        assert tab.page.url.endswith("/done")
        _layout(tab, f"thank-you {language}", recorder)
    finally:
        tab.close()
