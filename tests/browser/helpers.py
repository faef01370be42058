"""A browser tab that measures what it transfers and can run axe-core, plus answer plans."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from surveyapp.i18n import LANGUAGE_COOKIE, plain_gettext
from surveyapp.surveys.definitions import QuestionDef, SurveyDef

LANGUAGES = ("ja", "ja-easy", "pt-BR", "en", "vi")
SURVEYS = ("counter", "digital-divide-course", "digital-services", "public-transport",
           "staff-generative-ai")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_BUDGET = 50 * 1024
PHONE = {"width": 390, "height": 844}
COMMENTS = {
    "ja": "バスの本数を増やしてほしいです。",
    "ja-easy": "バスが もっと ほしいです。",
    "pt-BR": "Gostaria de mais ônibus à noite, por favor.",
    "en": "More buses in the evening, please.",
    "vi": "Mong có thêm xe buýt vào buổi tối.",
}
# Markup and quotes must come back exactly as typed, never interpreted.
TRICKY = ' <b>"x" & y</b>'


class Tab:
    """One browser context and page; every navigation is measured with the DevTools protocol."""

    def __init__(self, browser: Any, base_url: str, *, js: bool = True,
                 viewport: dict[str, int] | None = None, axe_source: str = "") -> None:
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.js = js
        self.axe_source = axe_source
        self.context = browser.new_context(viewport=viewport or PHONE, java_script_enabled=js,
                                           locale="ja-JP", service_workers="block")
        if js and axe_source:
            # Registered through the DevTools protocol, which the page's CSP does not govern;
            # add_script_tag would insert an inline script that our CSP (rightly) refuses.
            self.context.add_init_script(script=axe_source)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        # Every page is measured cold: the stylesheet is fetched again each time.
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self._reset()

    # ----------------------------------------------------------------- measuring
    def _reset(self) -> None:
        self.transferred = 0
        self.requests: list[str] = []
        self.fonts = 0
        self.foreign: list[str] = []

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith(("data:", "about:")):
            return
        self.requests.append(url)
        if urlsplit(url).netloc != self.host:
            self.foreign.append(url)
        redirect = event.get("redirectResponse")
        if redirect:
            self.transferred += int(redirect.get("encodedDataLength", 0))

    def _received(self, event: dict[str, Any]) -> None:
        if event.get("type") == "Font":
            self.fonts += 1

    def _finished(self, event: dict[str, Any]) -> None:
        self.transferred += int(event.get("encodedDataLength", 0))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def measure(self, action: Callable[[], Any]) -> dict[str, Any]:
        """Run a navigation and return what it transferred."""
        self._reset()
        action()
        self.page.wait_for_load_state("load")
        self.cdp.send("Page.getFrameTree")  # a round trip: earlier network events are in
        return {"bytes": self.transferred, "requests": len(self.requests), "fonts": self.fonts,
                "foreign": list(self.foreign)}

    def focused_id(self) -> str:
        """The id of the element with the keyboard focus once the page has been drawn: the
        browser applies ``autofocus`` when it next renders the page, which may come after the
        load event. Taking a picture of the page makes it render, with JavaScript on or off."""
        self.page.screenshot(clip={"x": 0, "y": 0, "width": 1, "height": 1})
        return str(self.page.evaluate("document.activeElement.id"))

    def goto(self, path: str) -> dict[str, Any]:
        """Open a page; ``status`` in the result is the HTTP status of the document."""
        url = path if path.startswith("http") else self.base_url + path
        responses = []
        measured = self.measure(lambda: responses.append(self.page.goto(url)))
        measured["status"] = responses[0].status if responses and responses[0] else None
        return measured

    def submit(self, selector: str = "main form button[type=submit]") -> dict[str, Any]:
        def click() -> None:
            with self.page.expect_navigation():
                self.page.click(selector)
        return self.measure(click)

    def set_language(self, language: str) -> None:
        self.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language,
                                   "url": self.base_url}])

    # ----------------------------------------------------------------- axe-core
    def axe(self) -> dict[str, Any]:
        """Run axe-core on the current page; returns violations and the rules that applied."""
        assert self.js and self.axe_source, "axe-core needs JavaScript and its source"
        return self.page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                const ids = (list) => list.map((x) => x.id);
                return {
                    version: axe.version,
                    violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})),
                    passes: ids(r.passes), incomplete: ids(r.incomplete),
                    inapplicable: ids(r.inapplicable),
                };
            }""", AXE_TAGS)

    def axe_rules(self) -> list[dict[str, Any]]:
        """The rules axe-core runs for our tags, with their WCAG tags (for the report)."""
        return self.page.evaluate(
            "(tags) => axe.getRules(tags).map((r) => ({id: r.ruleId, tags: r.tags}))", AXE_TAGS)

    def close(self) -> None:
        self.context.close()


def axe_message(result: dict[str, Any], where: str) -> str:
    lines = [f"axe-core violations on {where}:"]
    for violation in result["violations"]:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} "
                     f"at {', '.join(violation['nodes'])}")
    return "\n".join(lines)


def translated(app: Flask, language: str, msgid: str, **variables: Any) -> str:
    """A UI string as the page shows it in ``<title>`` (plain text) in ``language``."""
    with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}={language}"}):
        return plain_gettext(msgid, **variables)


def plan_answers(defn: SurveyDef, variant: int, language: str) -> dict[str, Any]:
    """Answers for every question, varied by ``variant`` so different options get exercised."""
    answers: dict[str, Any] = {}
    for index, question in enumerate(defn.questions):
        answers[question.key] = _answer(question, variant + index, language)
    return answers


def _answer(question: QuestionDef, seed: int, language: str) -> Any:
    options = [o.code for o in question.options if o.kind == "answer"]
    if question.type == "single":
        return options[seed % len(options)]
    if question.type == "multiple":
        first, second = seed % len(options), (seed + 1) % len(options)
        order = [o.code for o in question.options]
        return sorted({options[first], options[second]}, key=order.index)
    return COMMENTS[language] + TRICKY


def new_id() -> str:
    return str(uuid.uuid4())
