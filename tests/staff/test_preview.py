"""Preview of a draft: the respondent templates in the chosen language, page by page, marked
as a preview, storing nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from tests.browser.helpers import translated
from tests.conftest import login, response_id_on

PREVIEW = "/staff/surveys/counter/draft/preview"


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, app, "author")
    assert client.post("/staff/surveys/counter/draft").status_code == 303
    return client


def _rows() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(RespondentFlow)) or 0,
            db.session.scalar(sa.select(sa.func.count()).select_from(Response)) or 0)


def test_preview_shows_the_respondent_pages_in_english_and_stores_nothing(app: Flask) -> None:
    client = _client(app)
    start = client.get(f"{PREVIEW}/en").get_data(as_text=True)
    assert '<html lang="en">' in start
    assert "Survey on the city hall service counters" in start
    assert 'class="preview-banner" lang="ja"' in start and "回答は送信も保存もされません" in start
    assert "<title>プレビュー：" in start
    assert f'action="{PREVIEW}/en"' in start and 'class="preferences"' not in start
    # The first page's question is on the start page; posting it leads on to page 2.
    assert "How satisfied are you" in start
    assert client.post(f"{PREVIEW}/en", data={"counter_satisfaction": "satisfied"}).headers[
        "Location"].endswith(f"{PREVIEW}/en/2")
    first = client.get(f"{PREVIEW}/en/1").get_data(as_text=True)
    assert "How satisfied are you" in first
    assert f'href="{PREVIEW}/ja/1"' in first  # the same page in Japanese
    empty = client.post(f"{PREVIEW}/en/1", data={})
    assert empty.status_code == 200
    page = empty.get_data(as_text=True)
    assert translated(app, "en", "いずれか1つを選んでください。") in page
    assert "<title>プレビュー：" + translated(app, "en", "エラー：") in page
    assert client.post(f"{PREVIEW}/en/1", data={"counter_satisfaction": "satisfied"}).headers[
        "Location"].endswith(f"{PREVIEW}/en/2")
    last = client.get(f"{PREVIEW}/en/4").get_data(as_text=True)
    done = client.post(f"{PREVIEW}/en/4", data={"comment": "Nice", "response_id": response_id_on(last)})
    assert done.headers["Location"].endswith(f"{PREVIEW}/en/done")
    thanks = client.get(f"{PREVIEW}/en/done").get_data(as_text=True)
    assert "回答は送信も保存もしていません" in thanks
    with app.app_context():
        assert _rows() == (0, 0)


def test_only_the_drafts_languages_can_be_previewed(app: Flask) -> None:
    client = _client(app)
    assert client.get(f"{PREVIEW}/zh-Hans").status_code == 404
    assert client.get(PREVIEW).headers["Location"].endswith(f"{PREVIEW}/ja")
    html = client.get("/staff/surveys/counter/draft").get_data(as_text=True)
    assert [m for m in re.findall(r'draft/preview/([\w-]+)"', html)] == ["ja", "ja-easy", "pt-BR", "en", "vi"]


def test_a_draft_with_problems_says_what_to_fix_instead(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "author")
    client.post("/staff/surveys/new", data={"source": "blank", "key": "library-users", "title": "図書館"})
    response = client.get("/staff/surveys/library-users/draft/preview/ja")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "プレビューできません" in html and "必須の「設問文」がありません" in html
    assert 'href="/staff/surveys/library-users/draft/questions/0#text_ja"' in html
