"""Flagged responses leave every KPI number by default, are counted, and can be reviewed."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.respond.models import Response
from surveyapp.respond.services import submit_response
from surveyapp.screening.services import Signals
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan
from tests.conftest import login
from tests.results.factories import add_responses, digital_services_sample

KPI_URL = "/staff/kpis/digital-services/digital_satisfaction_rate"


def add_flagged(app: Flask, count: int, code: str = "dissatisfied") -> list[int]:
    """Responses that filled in the honeypot (so they are flagged), answering ``code``."""
    ids = []
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        for _ in range(count):
            receipt = submit_response(
                defn=version_definition(version), version=version, link=survey.links[0],
                channel="web", client_uuid=uuid.uuid4(),
                answers={"digital_satisfaction": code, "age_band": "30_39", "gender": "male"},
                now=from_japan(datetime(2026, 6, 2, 10, 0)),
                signals=Signals(source=uuid.uuid4().hex, honeypot=True))
            ids.append(receipt.response_id)
    return ids


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html)).replace(",", "")


def test_every_output_leaves_flagged_responses_out_and_says_how_many(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(40, 10))
    add_flagged(app, 30)
    client = app.test_client()
    login(client, app, "analyst")

    dashboard = _text(client.get("/staff/").get_data(as_text=True))
    # the KPI table's row: year, n (with the note on what was left out), rate
    assert "（2026年度）50要確認として除外した回答：30件80.0%" in dashboard

    page = _text(client.get(KPI_URL).get_data(as_text=True))
    assert "要確認として除外した回答：30件" in page
    assert "含めた場合：50.0%（n=80、95%信頼区間" in page  # 40 / 80 with the flagged ones

    report = _text(client.get("/staff/report").get_data(as_text=True))
    assert "要確認として除外した回答：30件" in report

    rows = list(csv.DictReader(io.StringIO(
        client.get("/staff/downloads/kpis.csv").get_data().decode("utf-8-sig"))))
    row = next(r for r in rows if r["kpi"] == "digital_satisfaction_rate" and r["weighted"] == "0")
    assert (row["responses"], row["n"], row["flagged_excluded"]) == ("50", "50", "30")

    records = client.get("/open-data/kpis.json").get_json()["records"]
    record = next(r for r in records if r["kpi"] == "digital_satisfaction_rate" and not r["weighted"])
    assert (record["n"], record["estimate"], record["flagged_excluded"]) == (50, 0.8, 30)

    raw = client.get("/staff/surveys/digital-services/responses.csv").get_data().decode("utf-8-sig")
    assert len(raw.strip().splitlines()) == 1 + 50


def test_a_few_flagged_responses_are_counted_but_not_published(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(40, 10))
    add_flagged(app, 2)
    records = app.test_client().get("/open-data/kpis.json").get_json()["records"]
    record = next(r for r in records if r["kpi"] == "digital_satisfaction_rate" and not r["weighted"])
    assert record["flagged_excluded"] is None  # 1–4: never published


def test_an_analyst_reviews_clears_and_restores_a_flag_and_each_step_is_audited(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(40, 10))
    first, *_rest = add_flagged(app, 3)
    client = app.test_client()
    login(client, app, "analyst")
    review = client.get("/staff/flags")
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "要確認：3件" in html
    assert "人には見えない入力欄に入力があった" in html
    assert "2026-06-02<br>10:00" in html

    cleared = client.post(f"/staff/flags/{first}/clear")
    assert cleared.status_code == 303
    page = client.get(cleared.headers["Location"]).get_data(as_text=True)
    assert "要確認を解除しました" in page and "要確認：2件" in page
    assert "要確認として除外した回答：2件" in _text(client.get(KPI_URL).get_data(as_text=True))
    assert "（2026年度）51要確認として除外した回答：2件" in _text(client.get("/staff/").get_data(as_text=True))
    assert "解除済み：1件" in client.get("/staff/flags?state=cleared").get_data(as_text=True)

    assert client.post(f"/staff/flags/{first}/restore").status_code == 303
    assert "要確認：3件" in client.get("/staff/flags").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.target == str(first)).order_by(AuditEntry.id)).all()
        response = db.session.get(Response, first)
        assert response is not None and response.flagged
        assert response.flag_reasons == [{"code": "honeypot"}]
    assert actions == ["response.flag_clear", "response.flag_restore"]


def test_only_analysts_and_admins_review_and_bad_numbers_are_not_found(app: Flask) -> None:
    (flagged,) = add_flagged(app, 1)
    add_responses(app, "digital-services", digital_services_sample(1, 0))
    with app.app_context():
        unflagged = db.session.scalar(sa.select(Response.id).where(Response.flagged.is_(False)))
    for role in ("course-staff", "data-entry"):
        client = app.test_client()
        login(client, app, role)
        assert client.get("/staff/flags").status_code == 403
        assert client.post(f"/staff/flags/{flagged}/clear").status_code == 403
    admin = app.test_client()
    login(admin, app, "admin")
    assert admin.get("/staff/flags").status_code == 200
    for number in (unflagged, 2**31, 2**63, 10**30):
        assert admin.post(f"/staff/flags/{number}/clear").status_code == 404, number
