"""What the respondent pages write: a flow row only once there is something to keep in it, a
survey answered on one page stores its response and nothing else, pages shown by GET never
take SQLite's write lock, and a POST takes it only to store what was sent."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from surveyapp.respond.models import RespondentFlow, Response
from tests.conftest import answer_survey, link_code, response_id_on, start_flow
from tests.respond.conftest import count_rows

ONE_PAGE = {"q1": "s5", "q2": "s4", "q3": "s3", "q4": "s5", "q5": "窓口がわかりやすかった"}


def test_opening_and_starting_a_survey_writes_nothing(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, "digital-services")
    for _reload in range(3):
        assert client.get(f"/s/{code}").status_code == 200
    start_flow(client, code)
    assert client.get(f"/s/{code}/p/1").status_code == 200
    assert count_rows(app, RespondentFlow) == 0


def test_one_page_survey_stores_the_response_and_no_flow(client: FlaskClient, app: Flask,
                                                        one_page: str) -> None:
    client_uuid = answer_survey(client, app, "load-anchor", ONE_PAGE)
    done = client.get(f"/s/{one_page}/done")
    assert done.status_code == 200 and "回答を受け付けました" in done.get_data(as_text=True)
    assert count_rows(app, Response) == 1
    assert count_rows(app, RespondentFlow) == 0
    # A second tap on 送信 (the same page, the same client id) stores nothing more.
    again = client.post(f"/s/{one_page}/p/1", data={**ONE_PAGE, "response_id": client_uuid})
    assert again.status_code == 303 and again.headers["Location"].endswith("/done")
    assert count_rows(app, Response) == 1
    # Back to the page: already sent, no answers shown.
    page = client.get(f"/s/{one_page}/p/1")
    assert "回答は送信済みです" in page.get_data(as_text=True)
    assert "checked" not in page.get_data(as_text=True)


def test_one_page_survey_refuses_a_client_id_it_did_not_give(client: FlaskClient, app: Flask,
                                                            one_page: str) -> None:
    start_flow(client, one_page)
    client.get(f"/s/{one_page}/p/1")
    foreign = client.post(f"/s/{one_page}/p/1",
                          data={**ONE_PAGE, "response_id": "8a0e7bd1-6a43-4b1c-9a53-9bb7f3a10c3e"})
    assert foreign.status_code == 400
    assert count_rows(app, Response) == 0


def test_a_rejected_first_page_is_kept_in_a_new_flow(client: FlaskClient, app: Flask,
                                                     one_page: str) -> None:
    start_flow(client, one_page)
    page = client.get(f"/s/{one_page}/p/1").get_data(as_text=True)
    rejected = client.post(f"/s/{one_page}/p/1", data={"q1": "s5", "response_id": response_id_on(page)})
    assert rejected.status_code == 303
    assert count_rows(app, RespondentFlow) == 1
    shown = client.get(f"/s/{one_page}/p/1").get_data(as_text=True)
    assert "<title>エラー：" in shown and response_id_on(shown) == response_id_on(page)
    sent = client.post(f"/s/{one_page}/p/1", data={**ONE_PAGE, "response_id": response_id_on(shown)})
    assert sent.headers["Location"].endswith("/done")
    assert count_rows(app, Response) == 1


def test_multi_page_survey_keeps_partial_answers_from_the_first_page_on(client: FlaskClient,
                                                                        app: Flask) -> None:
    code = link_code(app, "digital-services")
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    with app.app_context():
        (flow,) = db.session.scalars(sa.select(RespondentFlow))
        assert flow.answers == {"digital_satisfaction": "satisfied"}
    assert 'value="satisfied"' in client.get(f"/s/{code}/p/1").get_data(as_text=True)


def test_pages_shown_by_get_do_not_wait_for_a_writer(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, "digital-services")
    start_flow(client, code)
    with app.app_context(), db.engine.connect() as other:
        # Another request in the middle of a write (on SQLite: holding the write lock).
        transaction = other.begin()
        other.execute(sa.text("UPDATE surveys SET status = status"))
        try:
            for path in (f"/s/{code}", f"/s/{code}/p/1", f"/s/{code}/p/2"):
                assert client.get(path).status_code == 200, path
        finally:
            transaction.rollback()


def _write_elsewhere() -> bool:
    """Another connection writes and commits without waiting: False if it would have had to
    wait (on SQLite: someone holds the write lock)."""
    with db.engine.connect() as other:
        sqlite = other.dialect.name == "sqlite"
        driver: Any = other.connection.dbapi_connection
        if sqlite:
            driver.execute("PRAGMA busy_timeout = 0")
        try:
            with other.begin():
                other.execute(sa.text("UPDATE surveys SET status = status"))
            return True
        except (sa.exc.OperationalError, sqlite3.OperationalError):  # the driver's, from BEGIN
            return False
        finally:
            if sqlite:
                driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def test_a_post_holds_the_write_lock_only_to_store(client: FlaskClient, app: Flask, one_page: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """While the answers are checked, other requests can store theirs; one that stores in
    between does not make this one fail (SQLite refuses to turn such a read into a write)."""
    import surveyapp.respond.services as services
    import surveyapp.respond.views as views

    seen: dict[str, bool] = {}
    signals, screen = views._signals, services.screen_submission

    def checked(*args: Any, **kwargs: Any) -> Any:  # after the link, the flow and the form
        seen["while checking"] = _write_elsewhere()
        return signals(*args, **kwargs)

    def screening(*args: Any, **kwargs: Any) -> Any:  # the first step of storing
        seen["while storing"] = _write_elsewhere()
        return screen(*args, **kwargs)

    monkeypatch.setattr(views, "_signals", checked)
    monkeypatch.setattr(services, "screen_submission", screening)
    answer_survey(client, app, "load-anchor", ONE_PAGE)
    assert count_rows(app, Response) == 1
    assert seen["while checking"] is True
    # The screening counts earlier submissions under the lock, so two at once see each other
    # (PostgreSQL locks rows, not the database: nothing here waits there).
    with app.app_context():
        assert seen["while storing"] is (db.engine.dialect.name != "sqlite")


def test_a_flow_without_a_row_never_uses_up_an_invitation(client: FlaskClient, app: Flask,
                                                          one_page: str) -> None:
    from surveyapp.invitations.models import Invitation
    from surveyapp.invitations.services import claim_for_flow, invitation_for_flow
    from surveyapp.respond.services import new_flow
    from surveyapp.surveys.services import find_link_with_version
    from tests.invitations.helpers import codes_wave

    codes_wave(app)  # letters whose codes nobody has entered yet (no flow of theirs)
    answer_survey(client, app, "load-anchor", ONE_PAGE)
    with app.app_context():
        (response,) = db.session.scalars(sa.select(Response))
        assert response.invitation_stratum_id is None
        states = set(db.session.scalars(sa.select(Invitation.state)))
        assert states and "used" not in states
        found = find_link_with_version(one_page)
        assert found is not None and found[1] is not None
        flow = new_flow(found[0], found[1].id)
        assert invitation_for_flow(flow) is None and claim_for_flow(flow) is None
    assert count_rows(app, RespondentFlow) == 0
