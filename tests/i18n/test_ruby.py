"""Readings (ruby) on やさしい日本語 pages only, and no translator or definition text trusted as HTML."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from surveyapp.i18n import plain_gettext, ruby, strip_ruby, template_gettext
from tests.conftest import link_code, post_with_errors, response_id_on, start_flow


def _in(app: Flask, language: str):  # type: ignore[no-untyped-def]
    return app.test_request_context("/", headers={"Cookie": f"lang={language}"})


def test_ruby_only_in_easy_japanese_and_always_escaped(app: Flask) -> None:
    with _in(app, "ja-easy"):
        assert str(ruby("{漢字|かんじ}を よむ")) == "<ruby>漢字<rt>かんじ</rt></ruby>を よむ"
        assert str(ruby("{<b>|<i>} & {x}")) == "<ruby>&lt;b&gt;<rt>&lt;i&gt;</rt></ruby> &amp; {x}"
    with _in(app, "ja"):
        assert str(ruby("{漢字|かんじ}")) == "漢字"
        assert str(ruby("<script>")) == "&lt;script&gt;"
    assert strip_ruby("{市|し}の {目標|もくひょう}") == "市の 目標"


def test_template_gettext_escapes_and_plain_has_no_markup(app: Flask) -> None:
    with _in(app, "ja-easy"):
        assert str(template_gettext("<b>未翻訳</b>")) == "&lt;b&gt;未翻訳&lt;/b&gt;"
        assert "<ruby>" in str(template_gettext("前の質問に戻る"))
        assert plain_gettext("前の質問に戻る") == "前の 質問に もどる"
        assert str(template_gettext("%(n)d文字まで入力できます。", n=5)).startswith("5<ruby>")
        html = render_template_string('{{ _("質問 %(current)d / %(total)d", current=1, total=2) }}'
                                      '{{ "<i>"|ruby }}')
        assert html == "<ruby>質問<rt>しつもん</rt></ruby> 1 / 2&lt;i&gt;"


def _pages(client: FlaskClient, app: Flask) -> list[str]:
    code = link_code(app, "digital-services")
    pages = [client.get("/").get_data(as_text=True), client.get(f"/s/{code}").get_data(as_text=True)]
    start_flow(client, code)
    pages.append(post_with_errors(client, f"/s/{code}/p/1", {}).get_data(as_text=True))  # error
    for number in range(1, 7):
        pages.append(client.get(f"/s/{code}/p/{number}").get_data(as_text=True))
    final = pages[-1]
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    client.post(f"/s/{code}/p/6", data={"response_id": response_id_on(final)})
    pages.append(client.get(f"/s/{code}/done").get_data(as_text=True))
    pages.append(client.get(f"/s/{code}/results").get_data(as_text=True))
    return pages


def test_easy_japanese_pages_show_readings_and_leak_no_notation(client: FlaskClient,
                                                                app: Flask) -> None:
    client.set_cookie("lang", "ja-easy", domain="survey.test")
    for html in _pages(client, app):
        assert '<html lang="ja"' in html
        assert "<ruby>" in html
        text = re.sub(r"<[^>]+>", "", html)
        assert not re.search(r"\{[^{}|]+\|[^{}|]+\}", text), text[:500]
        title = re.search(r"<title>(.*)</title>", html)
        assert title and "<" not in title.group(1) and "{" not in title.group(1)
        attributes = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', html)
        assert not any("{" in value or "&lt;" in value for value in attributes)


def test_no_readings_in_standard_japanese(client: FlaskClient, app: Flask) -> None:
    for html in _pages(client, app):
        assert "<ruby>" not in html
        assert not re.search(r"\{[^{}|]+\|", re.sub(r"<[^>]+>", "", html))
