"""Which language a page is in, the switcher, and partial catalogues falling back cleanly."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.i18n import LANGUAGE_NAMES, OFFERED_BY_DEFAULT
from tests.conftest import link_code, make_app


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


def _make_link(app: Flask, language: str) -> str:
    from surveyapp.surveys.services import create_link, get_survey

    with app.app_context():
        return create_link(get_survey("digital-services"), label="ポスター", channel="poster-qr",
                           default_language=language).code


def test_japanese_without_any_preference(client: FlaskClient) -> None:
    assert _lang(client.get("/").get_data(as_text=True)) == "ja"


@pytest.mark.parametrize(("header", "expected"), [
    ("vi,en;q=0.8", "vi"), ("pt", "pt-BR"), ("pt-PT,en;q=0.5", "pt-BR"), ("en-GB", "en"),
    ("fr,de;q=0.9", "ja"), ("zh-CN,zh;q=0.9", "ja"),  # 简体中文 is prepared, not offered yet
])
def test_browser_language(client: FlaskClient, header: str, expected: str) -> None:
    html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert _lang(html) == expected


def test_cookie_beats_link_default_beats_browser(client: FlaskClient, app: Flask) -> None:
    code = _make_link(app, "pt-BR")
    html = client.get(f"/s/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "pt-BR"
    assert "Continuar" in html
    client.set_cookie("lang", "vi", domain="survey.test")
    html = client.get(f"/s/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "vi"
    client.set_cookie("lang", "xx", domain="survey.test")  # garbage is ignored
    assert _lang(client.get(f"/s/{code}").get_data(as_text=True)) == "pt-BR"


def test_switcher_names_each_language_in_itself(client: FlaskClient, app: Flask) -> None:
    # The start page links to the chooser (its first screen is kept for the first question).
    start = f"/s/{link_code(app, 'digital-services')}"
    assert f'href="/language?next={start}"' in client.get(start).get_data(as_text=True)
    html = client.get(f"/language?next={start}").get_data(as_text=True)
    for code in OFFERED_BY_DEFAULT:
        lang = "ja" if code == "ja-easy" else code
        assert re.search(rf'href="/language/{code}\?next=[^"]+" lang="{lang}" hreflang="{lang}"'
                         rf'[^>]*>{re.escape(LANGUAGE_NAMES[code])}</a>', html), code
    assert 'aria-current="true">日本語' in html


def test_switching_sets_a_cookie_and_returns_to_the_page(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, "digital-services")
    response = client.get(f"/language/en?next=/s/{code}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{code}"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get(f"/s/{code}").get_data(as_text=True)
    assert _lang(html) == "en" and "Continue" in html


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "", "/\r\nSet-Cookie: x=1"])
def test_switcher_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_or_prepared_language_cannot_be_chosen(client: FlaskClient) -> None:
    assert client.get("/language/fr?next=/").status_code == 404
    assert client.get("/language/zh-Hans?next=/").status_code == 404


def test_staff_pages_stay_japanese(client: FlaskClient) -> None:
    client.set_cookie("lang", "en", domain="survey.test")
    html = client.get("/staff/login", follow_redirects=True).get_data(as_text=True)
    assert _lang(html) == "ja"
    assert 'class="languages"' not in html


def test_large_text_toggle_without_javascript(client: FlaskClient) -> None:
    response = client.get("/text-size/large?next=/")
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ja" class="large-text">' in html
    assert 'href="/text-size/standard?next=/"' in html
    client.get("/text-size/standard?next=/")
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)
    assert client.get("/text-size/huge?next=/").status_code == 404


def test_prepared_language_falls_back_to_marked_japanese(migrated_database: str,
                                                          tmp_path: object) -> None:
    from pathlib import Path

    app = make_app(migrated_database, Path(str(tmp_path)),
                   LANGUAGES_OFFERED=[*OFFERED_BY_DEFAULT, "zh-Hans", "tl"])
    assert app.test_cli_runner().invoke(args=["surveys", "load", "--builtin", "--open"]).exit_code == 0
    client = app.test_client()
    client.set_cookie("lang", "tl", domain="survey.test")
    code = link_code(app, "digital-services")
    html = client.get(f"/s/{code}").get_data(as_text=True)
    assert _lang(html) == "tl"
    assert "Magpatuloy" in html  # translated
    # Untranslated UI text and survey texts without Tagalog are Japanese, and say so.
    assert '<span lang="ja">文字を大きく</span>' in html
    assert re.search(r'<h1 lang="ja">行政サービスのデジタル化に関する市民アンケート</h1>', html)
    assert "<title>行政サービスのデジタル化に関する市民アンケート |" in html


@pytest.mark.parametrize(("header", "expected", "start"), [
    ("pt-BR,pt;q=0.9,en;q=0.8", "pt-BR", "Continuar"),
    ("en-US,en;q=0.9", "en", "Continue"),
    ("vi-VN,vi;q=0.9", "vi", "Tiếp tục"),
    ("ja,en;q=0.5", "ja", ">次へ<"),
])
def test_builtin_web_links_open_in_the_browser_language(client: FlaskClient, app: Flask,
                                                         header: str, expected: str,
                                                         start: str) -> None:
    for survey in ("digital-services", "public-transport", "counter"):
        html = client.get(f"/s/{link_code(app, survey)}",
                          headers={"Accept-Language": header}).get_data(as_text=True)
        assert _lang(html) == expected, survey
        assert start in html
    # The resident's own choice still comes first.
    client.set_cookie("lang", "ja-easy", domain="survey.test")
    html = client.get(f"/s/{link_code(app, 'digital-services')}",
                      headers={"Accept-Language": header}).get_data(as_text=True)
    assert "つぎへ" in html


def test_new_links_follow_the_resident_unless_fixed(client: FlaskClient, app: Flask) -> None:
    from surveyapp.surveys.services import create_link, get_survey

    with app.app_context():
        survey = get_survey("digital-services")
        assert survey.links[0].default_language is None  # the loader's web link
        free = create_link(survey, label="広報", channel="newsletter").code
        fixed = create_link(survey, label="Cartaz", channel="poster-qr",
                            default_language="pt-BR").code
    assert _lang(client.get(f"/s/{free}", headers={"Accept-Language": "vi"}).get_data(
        as_text=True)) == "vi"
    assert _lang(client.get(f"/s/{free}").get_data(as_text=True)) == "ja"  # no header at all
    assert _lang(client.get(f"/s/{fixed}", headers={"Accept-Language": "vi"}).get_data(
        as_text=True)) == "pt-BR"
