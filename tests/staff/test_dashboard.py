"""KPI dashboard and downloads: the Wilson interval against Newcombe's published values."""

from __future__ import annotations

import csv
import io
import uuid

import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan
from tests.conftest import login


def _add_responses(app: Flask, survey_key: str, question: str, counts: dict[str, int],
                   *, extra: dict[str, str] | None = None) -> None:
    from datetime import datetime

    with app.app_context():
        survey = get_survey(survey_key)
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        link = survey.links[0]
        moment = from_japan(datetime(2026, 6, 1, 10, 0))
        for code, count in counts.items():
            for _ in range(count):
                answers = {question: code, **(extra or {})}
                submit_response(defn=defn, version=version, link=link, channel="web",
                                client_uuid=uuid.uuid4(), answers=answers, now=moment)


def test_dashboard_shows_wilson_interval_matching_newcombe(app: Flask) -> None:
    # Newcombe (1998a), Table I: 81/263, Wilson score interval 0.2553 to 0.3662.
    _add_responses(app, "digital-services", "digital_satisfaction",
                   {"satisfied": 50, "somewhat_satisfied": 31, "dissatisfied": 182,
                    "not_used": 40})
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/").get_data(as_text=True)
    assert "令和8年度（2026年度）" in html
    assert "30.8%" in html
    assert "25.5%〜36.6%" in html

    response = client.get("/staff/downloads/kpis.csv")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    row = next(r for r in rows if r["survey"] == "digital-services")
    assert row["title"] == "行政サービスのデジタル化に満足している市民の割合"
    assert row["fiscal_year_wareki"] == "令和8年度"
    assert (int(row["responses"]), int(row["excluded"]), int(row["n"])) == (303, 40, 263)
    assert int(row["successes"]) == 81
    assert abs(float(row["ci_low"]) - 0.2553) < 5e-5
    assert abs(float(row["ci_high"]) - 0.3662) < 5e-5
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action)))
    assert "download.kpis_csv" in actions


def test_no_answer_stays_in_the_base_and_zero_n_is_no_data(app: Flask) -> None:
    _add_responses(app, "public-transport", "transport_satisfaction",
                   {"not_used": 5})
    client = app.test_client()
    login(client, app, "analyst")
    rows = list(csv.DictReader(io.StringIO(
        client.get("/staff/downloads/kpis.csv").get_data().decode("utf-8-sig"))))
    row = next(r for r in rows if r["survey"] == "public-transport")
    assert row["n"] == "0"
    assert row["estimate"] == "" and row["ci_low"] == ""
    assert "—" in client.get("/staff/").get_data(as_text=True)


def test_raw_download_is_anonymous_and_formula_safe(app: Flask) -> None:
    _add_responses(app, "counter", "counter_satisfaction", {"satisfied": 2},
                   extra={"comment": "=HYPERLINK(\"http://x\")"})
    client = app.test_client()
    login(client, app, "analyst")
    response = client.get("/staff/surveys/counter/responses.csv")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert "comment" in header
    assert not any(h in header for h in ("ip", "user_agent", "name", "email"))
    comment = rows[1][header.index("comment")]
    assert comment == "'=HYPERLINK(\"http://x\")"
    assert len(rows) == 3
