"""Staff pages: draw from an uploaded frame, hand-over (mail-merge file, letters, erase), codes
only, reminder with the unused list, returned letters, response rates on the fieldwork page."""

from __future__ import annotations

import csv
import io
import re
import uuid

import openpyxl
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.invitations.models import Invitation, InvitationWave
from surveyapp.invitations.services import find_invitation, invitation_claim
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import login

from .test_frame import EXAMPLE
from .test_use_once import _all_text


def _draw(client: FlaskClient, **extra: str) -> object:
    data = {"label": "第1回発送", "by": "age_band,gender", "allocation": "proportional", "n": "600",
            "seed": "20260401", "sent_on": "2026-06-01", "deadline": "2026-06-30", "minutes": "10",
            "contact": "各務原市 総合政策課\n電話 058-000-0000", "with_paper": "y"}
    data.update(extra)
    data["frame"] = (io.BytesIO(EXAMPLE.read_bytes()), "frame.csv")  # type: ignore[assignment]
    return client.post("/staff/surveys/digital-services/waves/draw", data=data,
                       content_type="multipart/form-data")


def _merge(client: FlaskClient, wave_id: int) -> list[dict[str, str]]:
    response = client.get(f"/staff/waves/{wave_id}/merge.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_draw_hand_over_letters_and_erase(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    response = _draw(client)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]  # type: ignore[attr-defined]
    wave_id = int(response.headers["Location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    page = client.get(f"/staff/waves/{wave_id}").get_data(as_text=True)
    assert "シード" in page and "20260401" in page
    assert "コードはこの画面からだけ受け取れます" in page
    rows = _merge(client, wave_id)
    assert len(rows) == 600 and set(rows[0]) == {"serial", "frame_id", "code", "url", "age_band", "gender"}
    assert _merge(client, wave_id) == rows  # a failed download can be repeated
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/staff/waves/{wave_id}/merge.xlsx").data))
    assert workbook.active.max_row == 601
    letters = client.get(f"/staff/waves/{wave_id}/letters?start=1&end=3").get_data(as_text=True)
    first = min(rows, key=lambda r: int(r["serial"]))
    assert letters.count('class="letter"') == 3
    assert f'<p class="letter-code" aria-label="コード">{first["code"]}</p>' in letters
    assert "<svg" in letters and "宛名ラベル貼付欄" in letters and "総合政策課" in letters
    assert "令和8年6月30日（火）" in letters and "約10分" in letters and "返信用封筒" in letters
    assert "http://survey.test/code" in letters
    assert client.get(f"/staff/waves/{wave_id}/letters?start=1&end=500").status_code == 400
    # Erase: nothing can be downloaded again, and no code is left anywhere in the database.
    assert client.post(f"/staff/waves/{wave_id}/handover").status_code == 303  # not confirmed
    assert client.get(f"/staff/waves/{wave_id}/merge.csv").status_code == 200
    assert client.post(f"/staff/waves/{wave_id}/handover", data={"saved": "y"}).status_code == 303
    assert client.get(f"/staff/waves/{wave_id}/merge.csv").status_code == 410
    assert client.get(f"/staff/waves/{wave_id}/letters").status_code == 410
    assert "消去しました" in client.get(f"/staff/waves/{wave_id}").get_data(as_text=True)
    text = _all_text(app)
    assert not any(r["code"].replace("-", "") in text or r["frame_id"] in text for r in rows)


def test_a_frame_with_names_is_refused_and_nothing_is_kept(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    bad = "frame_id,氏名,age_band\nR1,各務 花子,18_29\n".encode()
    response = client.post("/staff/surveys/digital-services/waves/draw", content_type="multipart/form-data",
                           data={"label": "x", "n": "1", "allocation": "proportional",
                                 "frame": (io.BytesIO(bad), "f.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>エラー：" in html
    assert "1行目「氏名」列" in html and "保存していません" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InvitationWave.id))) == 0
    assert "各務 花子" not in _all_text(app)


def test_bad_numbers_get_messages(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    html = _draw(client, n="4000").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "名簿の人数（3,000）を超えています" in html
    html = _draw(client, seed="abc").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "シードは18桁までの数字" in html


def _answer(app: Flask, code: str, channel: str = "invitation") -> None:
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        invitation = find_invitation(code)
        submit_response(defn=version_definition(version), version=version, link=invitation.wave.link,
                        channel=channel, client_uuid=uuid.uuid4(),
                        answers={"digital_satisfaction": "satisfied"},
                        claim=invitation_claim(invitation.id, channel))


def test_codes_reminder_unused_list_and_returned_letters(app: Flask) -> None:
    admin = app.test_client()
    login(admin, app, "admin")
    response = admin.post("/staff/surveys/digital-services/waves/codes",
                          data={"label": "抽出済み", "count": "10", "sent_on": "2026-06-01"})
    assert response.status_code == 303
    wave_id = int(response.headers["Location"].rsplit("/", 1)[1])
    rows = {int(r["serial"]): r["code"] for r in _merge(admin, wave_id)}
    assert len(rows) == 10
    _answer(app, rows[1])
    _answer(app, rows[2], channel="paper")
    # Returned letters, typed by data-entry staff: a code, a serial, a typo, an answered one.
    clerk = app.test_client()
    login(clerk, app, "data-entry")
    landing = clerk.get("/staff/paper").get_data(as_text=True)  # where data-entry staff start
    assert f'href="/staff/waves/{wave_id}/undelivered"' in landing
    typo = rows[5][:-1] + ("A" if rows[5][-1] != "A" else "B")
    page = clerk.post(f"/staff/waves/{wave_id}/undelivered",
                      data={"codes": f"{rows[3].lower()}\nNo.4\n{typo}\n{rows[1]}\n"})
    html = page.get_data(as_text=True)
    assert "2件を記録しました" in html and "No.1" in html and "3行目" in html and "入力まちがい" in html
    assert clerk.get(f"/staff/waves/{wave_id}").status_code == 403  # the hand-over is for admins
    reminder = admin.post("/staff/surveys/digital-services/waves/reminder",
                          data={"parent": str(wave_id), "label": "督促", "sent_on": "2026-06-15"})
    assert reminder.status_code == 303
    reminder_id = int(reminder.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(InvitationWave, reminder_id).reminded == 6  # type: ignore[union-attr]
    unused = admin.get(f"/staff/waves/{reminder_id}/unused.csv")
    listed = list(csv.DictReader(io.StringIO(unused.data.decode("utf-8-sig"))))
    assert sorted(int(r["serial"]) for r in listed) == [5, 6, 7, 8, 9, 10]
    assert "code" not in listed[0]
    # Fieldwork page: the rates of the wave.
    fieldwork = admin.get("/staff/surveys/digital-services/fieldwork?fiscal_year=2026").get_data(as_text=True)
    assert "RR1" in fieldwork and "20.0%" in fieldwork  # 2 answered of 10
    assert "25.0%" in fieldwork  # RR1 without the 2 returned letters: 2 of 8
    table = admin.get("/staff/surveys/digital-services/response-rates.csv").data.decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(table)))
    assert (first["案内数"], first["宛先不明"], first["回答（ウェブ）"], first["回答（紙）"]) == ("10", "2", "1", "1")
    assert float(first["RR1"]) == 0.2
    with app.app_context():
        states = dict(db.session.execute(sa.select(Invitation.serial, Invitation.undelivered).where(
            Invitation.wave_id == wave_id)).all())
    assert states[3] and states[4] and not states[1]


def test_letters_need_an_open_hand_over_and_pages_of_200(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    response = client.post("/staff/surveys/digital-services/waves/codes", data={"label": "大量", "count": "450"})
    wave_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/staff/waves/{wave_id}").get_data(as_text=True)
    assert re.findall(r"No\.(\d+)〜(\d+)", page) == [("1", "200"), ("201", "400"), ("401", "450")]
    letters = client.get(f"/staff/waves/{wave_id}/letters?start=401&end=450").get_data(as_text=True)
    assert letters.count('class="letter"') == 50
