"""Open data: public surveys only, demo data excluded, suppressed values omitted, no comments."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Flask

from surveyapp.opendata.records import FIELD_NAMES
from tests.results.factories import add_responses, digital_services_sample

REQUIRED = {"kpi", "title", "fiscal_year", "n", "successes", "estimate", "ci_low", "ci_high",
            "ci_method", "level", "weighted", "effective_n", "baseline", "target", "direction",
            "target_verdict", "baseline_verdict", "suppressed"}


def test_records_have_the_required_fields_and_exclude_demo(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(60, 90, comment="秘密のコメント"))
    add_responses(app, "digital-services", digital_services_sample(50, 0), channel="demo", with_link=False)
    add_responses(app, "digital-services", digital_services_sample(40, 40),
                  when=datetime(2025, 9, 1, 12, 0))
    client = app.test_client()  # no login: public
    response = client.get("/open-data/kpis.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    records = [r for r in data["records"] if r["kpi"] == "digital_satisfaction_rate"]
    assert {r["fiscal_year"] for r in records} == {2025, 2026}
    for record in data["records"]:
        assert set(record) >= REQUIRED
    latest = next(r for r in records if r["fiscal_year"] == 2026)
    assert latest["n"] == 150 and latest["successes"] == 60  # the 50 demo responses are not counted
    assert latest["estimate"] == 0.4 and latest["weighted"] is False
    assert latest["target_verdict"] in ("reached", "not_reached", "inconclusive",  # final
                                        "on_track", "off_track", "track_unclear")  # before FY of target
    assert latest["baseline_verdict"] in ("improved", "declined", "no_detectable_change")
    body = response.get_data(as_text=True)
    assert "秘密のコメント" not in body and "comment" not in body

    text = client.get("/open-data/kpis.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == FIELD_NAMES
    row = next(r for r in rows if r["kpi"] == "digital_satisfaction_rate" and r["fiscal_year"] == "2026")
    assert float(row["estimate"]) == latest["estimate"] and row["weighted"] == "false"
    assert float(row["ci_low"]) == latest["ci_low"]

    page = client.get("/open-data/").get_data(as_text=True)
    assert "コードブック" in page and "baseline_verdict" in page


def test_only_public_surveys(app: Flask, tmp_path: object) -> None:
    import dataclasses

    from surveyapp.surveys.definitions import builtin_paths, load_definition
    from surveyapp.surveys.services import load_survey

    with app.app_context():
        path = next(p for p in builtin_paths() if p.name == "counter.toml")
        defn = dataclasses.replace(load_definition(path), public_results=False)
        load_survey(defn)
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 40)
    data = app.test_client().get("/open-data/kpis.json").get_json()
    assert not any(r["survey"] == "counter" for r in data["records"])
