"""Which languages a link may be fixed to, the new-link form, and the migration that freed the
loader's web links from Japanese."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp.extensions import db
from surveyapp.i18n import OFFERED_BY_DEFAULT
from surveyapp.surveys.models import Link
from surveyapp.surveys.services import InvalidLink, create_link, get_survey, link_languages
from tests.conftest import load_builtin_surveys, login

LANGUAGE_REVISION = "677f339a87ef"


def test_a_link_can_only_be_fixed_to_a_language_the_survey_offers(app: Flask) -> None:
    with app.app_context():
        survey = get_survey("digital-services")
        assert link_languages(survey) == OFFERED_BY_DEFAULT
        for language in ("tl", "zh-Hans", "fr"):
            with pytest.raises(InvalidLink):
                create_link(survey, label="x", channel="poster-qr", default_language=language)
        assert len(get_survey("digital-services").links) == 1


def test_a_prepared_language_the_site_offers_is_still_refused_if_the_survey_lacks_it(
        app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(LANGUAGES_OFFERED=[*OFFERED_BY_DEFAULT, "zh-Hans", "tl"]))
    with app.app_context():
        survey = get_survey("counter")
        assert "tl" not in link_languages(survey)  # the built-in surveys have no Tagalog texts
        with pytest.raises(InvalidLink):
            create_link(survey, label="Tagalog poster", channel="poster-qr", default_language="tl")


def _options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select[^>]*name="default_language".*?</select>', html, re.S)
    assert select
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))


def test_new_link_form_offers_the_residents_language_then_the_surveys_languages(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    html = client.get("/staff/surveys/digital-services").get_data(as_text=True)
    options = _options(html)
    assert options[0][0] == ""  # the default: each resident's own language
    assert "ブラウザの言語" in options[0][1]
    assert [value for value, _label in options[1:]] == list(OFFERED_BY_DEFAULT)
    assert "Tagalog" not in html.split('name="default_language"')[1].split("</select>")[0]
    made = client.post("/staff/surveys/digital-services/links",
                       data={"label": "回覧板", "channel": "newsletter", "default_language": ""})
    assert made.status_code == 303
    refused = client.post("/staff/surveys/digital-services/links",
                          data={"label": "Tagalog", "channel": "poster-qr", "default_language": "tl"})
    assert refused.status_code == 400
    with app.app_context():
        links = get_survey("digital-services").links
        assert [(link.label, link.default_language) for link in links[1:]] == [("回覧板", None)]
    page = client.get("/staff/surveys/digital-services").get_data(as_text=True)
    assert re.search(r"回覧板</th><td>[^<]*</td><td>利用者の言語</td>", page)


def test_migration_frees_only_the_loaders_web_links(bare_app: Flask) -> None:
    with bare_app.app_context():
        downgrade(revision=f"{LANGUAGE_REVISION}-1")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO surveys (id, key, status, created_at) "
                                 "VALUES (1, 'mig', 'open', CURRENT_TIMESTAMP)"))
            for code, label, channel, language in (
                    ("aaaaaaaa", "ウェブ（公開リンク）", "web", "ja"),    # made by the loader
                    ("bbbbbbbb", "市役所ロビー", "web", "ja"),            # made by staff
                    ("cccccccc", "ウェブ（公開リンク）", "web", "pt-BR"),  # a language chosen
                    ("dddddddd", "講座", "kiosk", "ja")):
                conn.execute(sa.text(
                    "INSERT INTO links (survey_id, code, label, channel, default_language, active, "
                    "created_at) VALUES (1, :code, :label, :channel, :language, :active, "
                    "CURRENT_TIMESTAMP)"), {"code": code, "label": label, "channel": channel,
                                            "language": language, "active": True})
        upgrade()
        languages = dict(db.session.execute(sa.select(Link.code, Link.default_language)).all())
        assert languages == {"aaaaaaaa": None, "bbbbbbbb": "ja", "cccccccc": "pt-BR",
                             "dddddddd": "ja"}
        db.session.remove()
        downgrade(revision=f"{LANGUAGE_REVISION}-1")
        with db.engine.connect() as conn:
            back = dict(conn.execute(sa.text("SELECT code, default_language FROM links")).all())
        assert back["aaaaaaaa"] == "ja"
        upgrade()
