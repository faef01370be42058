"""The walk-through of the docs, end to end through the staff and respondent pages: upload the
3,000-row example frame, draw 600 by age band × gender with a seed, download the mail-merge
file, open the letters, answer one invitation through its QR URL, and see the response rate per
stratum and the KPI weighted by the invitation strata."""

from __future__ import annotations

import csv
import io
import random
import uuid
from typing import Any

from flask import Flask

from surveyapp.invitations.services import find_invitation, invitation_claim
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import login, response_id_on

from .test_frame import EXAMPLE


def test_newcomer_walk_through(app: Flask) -> None:
    admin = app.test_client()
    login(admin, app, "admin")
    response = admin.post("/staff/surveys/digital-services/waves/draw", content_type="multipart/form-data", data={
        "frame": (io.BytesIO(EXAMPLE.read_bytes()), "frame-example.csv"), "by": "age_band,gender",
        "allocation": "proportional", "n": "600", "seed": "20260401", "label": "第1回発送",
        "sent_on": "2026-06-01", "deadline": "2026-06-30", "minutes": "5", "contact": "総合政策課"})
    assert response.status_code == 303
    wave = response.headers["Location"]
    merge = admin.get(f"{wave}/merge.csv")
    rows = list(csv.DictReader(io.StringIO(merge.data.decode("utf-8-sig"))))
    assert len(rows) == 600
    letters = admin.get(f"{wave}/letters?start=1&end=2").get_data(as_text=True)
    assert letters.count('class="letter"') == 2
    # One resident answers on a phone through the QR URL of their letter.
    resident = app.test_client()
    chosen = next(r for r in rows if r["age_band"] == "30_39")
    path = chosen["url"].split("survey.test", 1)[-1]
    assert resident.get(path).headers["Location"] == "/code/start"
    first = resident.post("/code/start").headers["Location"]
    with app.app_context():
        version = get_survey("digital-services").current_version
        assert version is not None
        defn = version_definition(version)
    prefix = first.rsplit("/", 1)[0]
    pages = defn.pages()
    for number, questions in enumerate(pages, start=1):
        data: dict[str, Any] = {}
        for q in questions:
            if q.key == "digital_satisfaction":
                data[q.key] = "satisfied"
            elif q.key == "age_band":
                data[q.key] = "30_39"
        if number == len(pages):
            data["response_id"] = response_id_on(resident.get(f"{prefix}/{number}").get_data(as_text=True))
        assert resident.post(f"{prefix}/{number}", data=data).status_code == 303
    # Others answer too (web or paper), more often the older residents.
    rng = random.Random(1)
    with app.app_context():
        version = get_survey("digital-services").current_version
        assert version is not None
        for row in rows:
            if row is chosen or rng.random() > {"18_29": .3, "30_39": .35}.get(row["age_band"], .55):
                continue
            invitation = find_invitation(row["code"])
            channel = "paper" if rng.random() < 0.3 else "invitation"
            answer = "satisfied" if rng.random() < (0.5 if row["age_band"] in ("18_29", "30_39") else 0.25) \
                else "dissatisfied"
            submit_response(defn=defn, version=version, link=invitation.wave.link, channel=channel,
                            client_uuid=uuid.uuid4(), answers={"digital_satisfaction": answer},
                            claim=invitation_claim(invitation.id, channel))
    fieldwork = admin.get("/staff/surveys/digital-services/fieldwork").get_data(as_text=True)
    assert "第1回発送：層ごとの回収率（age_band × gender）" in fieldwork
    assert fieldwork.count("<th scope=\"row\">") >= 12
    kpi = admin.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    section = kpi.split("無作為抽出の層による重み付け", 1)[1].split("</table>", 1)[0]
    assert "事後層化" in section and "%" in section and "重みを作れません" not in section
