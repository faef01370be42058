"""Large raw downloads are made in the background: a button, a progress page that refreshes
itself without JavaScript, then a link that only the staff member who asked can use."""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.audit import AuditEntry
from surveyapp.exports.jobs import DONE, RUNNING, DownloadJob, job_file
from surveyapp.extensions import db
from surveyapp.timeutil import utcnow
from tests.conftest import load_builtin_surveys, login
from tests.results.factories import add_responses, digital_services_sample

RESPONSES = "/staff/surveys/digital-services/responses"
JOBS = "/staff/surveys/digital-services/responses/jobs"


@pytest.fixture
def app(app_factory: Any) -> Flask:
    app = load_builtin_surveys(app_factory(DOWNLOAD_JOB_MIN_RESPONSES=50))
    add_responses(app, "digital-services", digital_services_sample(40, 60, comment="=1+1 便利です"))
    return app


def _analyst(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, app, "analyst")
    return client


def _wait_for_jobs() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("download-"):
            thread.join(60)


def _start(client: FlaskClient, **form: str) -> str:
    response = client.post(JOBS, data=form)
    assert response.status_code == 303
    _wait_for_jobs()
    return response.headers["Location"]


def _job(app: Flask) -> DownloadJob:
    with app.app_context():
        job = db.session.scalars(sa.select(DownloadJob)).one()
        db.session.expunge(job)
        return job


def test_a_large_download_offers_a_button_instead_of_making_the_request_wait(app: Flask) -> None:
    client = _analyst(app)
    page = client.get(f"{RESPONSES}.xlsx")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "100 件" in html and "ファイルの作成を始める" in html
    assert 'name="kind" value="responses.xlsx"' in html


def test_the_background_workbook_is_the_download_with_its_progress_page_and_link(app: Flask) -> None:
    client = _analyst(app)
    page_url = _start(client, kind="responses.xlsx")
    page = client.get(page_url).get_data(as_text=True)
    assert "できあがりました（100 件）" in page and 'http-equiv="refresh"' not in page
    job = _job(app)
    assert job.status == DONE and job.rows_done == 100
    response = client.get(f"{page_url}/file")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%9B%9E%E7%AD%94" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["回答", "コードブック"]
    rows = list(book["回答"].iter_rows(values_only=True))
    assert rows[0][0] == "回答番号" and len(rows) == 101
    comments = [value for row in rows[1:] for value in row if isinstance(value, str) and "便利" in value]
    assert comments and all(text == "'=1+1 便利です" for text in comments)
    with app.app_context():
        path = job_file(job)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "download.responses_xlsx" in actions


def test_a_shift_jis_csv_in_the_background(app: Flask) -> None:
    client = _analyst(app)
    page_url = _start(client, kind="responses.csv", encoding="cp932")
    response = client.get(f"{page_url}/file")
    assert response.headers["Content-Type"] == "text/csv; charset=Shift_JIS"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("cp932"))))
    assert rows[0][0] == "response_id" and len(rows) == 101


def test_only_the_staff_member_who_asked_can_see_or_fetch_the_file(app: Flask) -> None:
    page_url = _start(_analyst(app), kind="responses.xlsx")
    other = app.test_client()
    login(other, app, "admin")
    assert other.get(page_url).status_code == 404
    assert other.get(f"{page_url}/file").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"{page_url}/file").status_code == 302


def test_while_running_the_page_refreshes_itself_and_shows_the_progress(app: Flask) -> None:
    client = _analyst(app)
    page_url = _start(client, kind="responses.xlsx")
    with app.app_context():
        job = db.session.scalars(sa.select(DownloadJob)).one()
        job.status, job.rows_done = RUNNING, 40
        db.session.commit()
    html = client.get(page_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<progress id="job-progress" max="100" value="40">' in html and "40／100 件" in html
    assert client.get(f"{page_url}/file").status_code == 404


def test_a_job_whose_process_ended_is_reported_failed_not_left_running(app: Flask) -> None:
    client = _analyst(app)
    page_url = _start(client, kind="responses.xlsx")
    with app.app_context():
        job = db.session.scalars(sa.select(DownloadJob)).one()
        job.status, job.updated_at = RUNNING, utcnow() - timedelta(minutes=10)
        db.session.commit()
    html = client.get(page_url).get_data(as_text=True)
    assert "作成が途中で止まりました" in html and "もう一度作成する" in html
    assert 'http-equiv="refresh"' not in html


def test_finished_files_are_deleted_after_the_keeping_time(app: Flask) -> None:
    client = _analyst(app)
    first = _start(client, kind="responses.xlsx")
    old = _job(app)
    with app.app_context():
        path = job_file(old)
        assert path.is_file()
        job = db.session.get(DownloadJob, old.id)
        job.created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    _start(client, kind="responses.xlsx")
    assert not path.exists()
    assert client.get(first).status_code == 404


def test_a_small_survey_downloads_at_once(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory())
    add_responses(app, "digital-services", digital_services_sample(40, 60))
    response = _analyst(app).get(f"{RESPONSES}.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
