"""A question page shown empty and the thank-you page are made once and reused (``kept_page``):
each respondent still gets their own form token and response id, the markup is exactly what the
templates make for that request, and nothing of one request (a message, an answer, a language,
a text size) reaches another."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.i18n import LANGUAGE_COOKIE, TEXT_SIZE_COOKIE
from surveyapp.respond.models import Response
from tests.conftest import link_code, load_builtin_surveys, response_id_on
from tests.respond.conftest import ANCHOR, count_rows
from tests.respond.test_start_page import ONE_PAGE

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RESPONSE_ID = re.compile(r'(name="response_id"[^>]*value=")[0-9a-f-]{36}(")')


def _token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page carries a form token"
    return found.group(1)


def _without_own_values(html: str) -> str:
    """The markup with the values that are each request's own blanked out."""
    return RESPONSE_ID.sub(r"\1…\2", TOKEN.sub('name="csrf_token" value="…"', html))


def _rendered(app: Flask) -> list[str]:
    names: list[str] = []

    def record(_sender: Any, template: Any, **_extra: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record, app, weak=False)
    return names


@pytest.fixture
def csrf_app(app_factory: Any) -> Flask:
    app = load_builtin_surveys(app_factory(WTF_CSRF_ENABLED=True))
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(ANCHOR), "--open"])
    assert result.exit_code == 0, result.output
    return app


def test_a_kept_start_page_carries_each_respondent_s_own_token_and_id(csrf_app: Flask) -> None:
    code = link_code(csrf_app, "load-anchor")
    first, second = csrf_app.test_client(), csrf_app.test_client()
    first_html = first.get(f"/s/{code}").get_data(as_text=True)
    rendered = _rendered(csrf_app)
    second_html = second.get(f"/s/{code}").get_data(as_text=True)
    assert rendered == []  # no template was rendered for the second respondent
    assert _token(second_html) != _token(first_html)
    assert response_id_on(second_html) != response_id_on(first_html)
    assert _without_own_values(second_html) == _without_own_values(first_html)
    # The second respondent's page is theirs: its token and id store their response...
    second_id = response_id_on(second_html)
    sent = second.post(f"/s/{code}", data={**ONE_PAGE, "response_id": second_id,
                                          "csrf_token": _token(second_html)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/done")
    with csrf_app.app_context():
        assert [str(u) for u in db.session.scalars(sa.select(Response.client_uuid))] == [second_id]
    # ...and the first one's token is not theirs (the same body with their own token is
    # acknowledged again, as a second tap is).
    refused = second.post(f"/s/{code}", data={**ONE_PAGE, "response_id": second_id,
                                             "csrf_token": _token(first_html)})
    assert refused.status_code == 400 and "有効期限が切れました" in refused.get_data(as_text=True)
    assert second.post(f"/s/{code}", data={**ONE_PAGE, "response_id": second_id,
                                           "csrf_token": _token(second_html)}).status_code == 303
    assert count_rows(csrf_app, Response) == 1
    first_id = response_id_on(first_html)
    assert first.post(f"/s/{code}", data={**ONE_PAGE, "response_id": first_id,
                                          "csrf_token": _token(first_html)}).status_code == 303
    assert count_rows(csrf_app, Response) == 2


def _variants(client: FlaskClient, paths: list[str]) -> dict[tuple[str, str, str, str], str]:
    """Each path in each language and text size, and with a query (the preference links come
    back to it), in this order."""
    pages = {}
    for language in ("ja", "en", "pt-BR", "ja-easy"):
        for size in ("standard", "large"):
            client.set_cookie(LANGUAGE_COOKIE, language, domain="survey.test")
            client.set_cookie(TEXT_SIZE_COOKIE, size, domain="survey.test")
            for path in paths:
                for query in ("", "?from=poster"):
                    shown = client.get(path + query)
                    assert shown.status_code == 200, (path, shown.status_code)
                    pages[language, size, path, query] = shown.get_data(as_text=True)
    return pages


def test_kept_pages_are_what_the_templates_make_for_each_request(app: Flask, one_page: str) -> None:
    """Every page is first shown with the kept markup where there is one, then made afresh with
    nothing kept: the two are the same, token and response id aside."""
    multi = link_code(app, "digital-services")
    client = app.test_client()
    client.get(f"/s/{multi}")
    first_page = {"digital_satisfaction": "satisfied", "Website": ""}
    assert client.post(f"/s/{multi}", data=first_page).headers["Location"].endswith("/p/2")
    sent = app.test_client()
    client_uuid = response_id_on(sent.get(f"/s/{one_page}").get_data(as_text=True))
    assert sent.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid}).status_code == 303
    paths = [f"/s/{one_page}", f"/s/{multi}/p/2"]
    app.extensions["kept_pages"].clear()
    kept = {**_variants(client, paths), **_variants(sent, [f"/s/{one_page}/done"])}
    assert len(app.extensions["kept_pages"]) == len(kept)  # one per language, size, path and query
    for (language, size, path, query), html in kept.items():
        app.extensions["kept_pages"].clear()
        made = (sent if path.endswith("/done") else client)
        made.set_cookie(LANGUAGE_COOKIE, language, domain="survey.test")
        made.set_cookie(TEXT_SIZE_COOKIE, size, domain="survey.test")
        fresh = made.get(path + query).get_data(as_text=True)
        assert _without_own_values(html) == _without_own_values(fresh), (language, size, path, query)
    # The variants are really different pages.
    assert len({_without_own_values(html) for html in kept.values()}) == len(kept)


def test_a_message_for_one_request_is_shown_to_it_and_to_no_other(app: Flask, one_page: str) -> None:
    app.test_client().get(f"/s/{one_page}")  # the start page is kept
    late = app.test_client()  # posts a start page without having opened one
    restarted = late.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": "x"})
    assert restarted.status_code == 303
    assert "はじめから回答してください。" in late.get(f"/s/{one_page}").get_data(as_text=True)
    assert "はじめから回答してください。" not in late.get(f"/s/{one_page}").get_data(as_text=True)
    assert "はじめから回答してください。" not in app.test_client().get(f"/s/{one_page}").get_data(as_text=True)


def test_answers_kept_on_a_page_are_never_kept_in_its_markup(app: Flask) -> None:
    """Back from page 2 shows page 1 with its answer; another respondent's page 1 is empty."""
    multi = link_code(app, "digital-services")
    client = app.test_client()
    client.get(f"/s/{multi}")
    answered = client.post(f"/s/{multi}", data={"digital_satisfaction": "satisfied", "Website": ""})
    assert answered.headers["Location"].endswith("/p/2")
    back = client.get(f"/s/{multi}").get_data(as_text=True)
    assert re.search(r'value="satisfied"\s+type="radio"\s+checked', back)
    other = app.test_client().get(f"/s/{multi}").get_data(as_text=True)
    assert " checked" not in other
