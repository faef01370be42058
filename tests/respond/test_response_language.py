"""Each response records the language its respondent answered in (web and kiosk); a replay never
conflicts over it, and a language we do not offer is not recorded."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.respond.models import Response
from tests.conftest import answer_survey
from tests.kiosk.conftest import device_client, make_kiosk, post_response

COUNTER = {"counter_satisfaction": "satisfied"}


def _languages(app: Flask) -> dict[str, str | None]:
    with app.app_context():
        return {str(u): lang for u, lang in db.session.execute(sa.select(Response.client_uuid, Response.language))}


def test_web_responses_record_the_language_shown(app: Flask) -> None:
    client = app.test_client()
    in_japanese = answer_survey(client, app, "counter", COUNTER)
    portuguese = app.test_client()
    assert portuguese.get("/language/pt-BR").status_code == 303
    in_portuguese = answer_survey(portuguese, app, "counter", COUNTER)
    languages = _languages(app)
    assert languages[in_japanese] == "ja"
    assert languages[in_portuguese] == "pt-BR"


def test_kiosk_deliveries_record_the_language_and_replays_do_not_conflict(app: Flask) -> None:
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    english = str(uuid.uuid4())
    assert post_response(client, kiosk, client_uuid=english, language="en").status_code == 201
    # The same response delivered again (its receipt was lost) is the same response.
    assert post_response(client, kiosk, client_uuid=english, language="en").status_code == 200
    unknown = str(uuid.uuid4())
    assert post_response(client, kiosk, client_uuid=unknown, language="klingon").status_code == 201
    older_queue = str(uuid.uuid4())  # queued before the page sent its language
    assert post_response(client, kiosk, client_uuid=older_queue).status_code == 201
    languages = _languages(app)
    assert languages == {english: "en", unknown: None, older_queue: None}
