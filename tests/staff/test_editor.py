"""The survey editor as staff use it: create a survey, write its questions, options and KPI,
see the schema's messages beside the fields, reorder with buttons, publish, archive."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.surveys.models import SurveyDraft
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import login

KEY = "library-users"
DRAFT = f"/staff/surveys/{KEY}/draft"
PURPOSES = [("borrow", "本を借りる・返す"), ("study", "学習・調べもの"), ("other", "その他")]


def revision(client: FlaskClient, path: str = DRAFT) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="revision" (?:type="hidden" )?value="(\d+)"', html) or re.search(
        r'id="revision" name="revision" type="hidden" value="(\d+)"', html)
    assert match, html[:3000]
    return match.group(1)


def question_form(key: str, text: str, options: list[tuple[str, str]], *, qtype: str = "single",
                  required: bool = True, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "type": qtype, "text_ja": text, "action": "save", **extra}
    if required:
        data["required"] = "y"
    for n, (code, label) in enumerate(options):
        data[f"options-{n}-code"] = code
        data[f"options-{n}-kind"] = "answer"
        data[f"options-{n}-text_ja"] = label
    return data


def save_question(client: FlaskClient, index: int, data: dict[str, Any]) -> Any:
    path = f"{DRAFT}/questions/{index}"
    response = client.post(path, data={**data, "revision": revision(client, path)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response


def new_survey(app: Flask, role: str = "author") -> FlaskClient:
    client = app.test_client()
    login(client, app, role)
    response = client.post("/staff/surveys/new",
                           data={"source": "blank", "key": KEY, "title": "図書館利用者アンケート"})
    assert response.status_code == 303 and response.headers["Location"].endswith(DRAFT)
    return client


def write_library_survey(client: FlaskClient) -> None:
    save_question(client, 0, question_form("visit_purpose", "本日の主な来館目的は何ですか。", PURPOSES))
    for index, data in ((1, question_form("staff_satisfaction", "職員の対応に満足していますか。",
                                          [("satisfied", "満足"), ("somewhat_satisfied", "やや満足"),
                                           ("dissatisfied", "不満")])),
                        (2, question_form("comment", "ご意見をお書きください。", [], qtype="textarea",
                                          required=False))):
        assert client.post(f"{DRAFT}/questions", data={"revision": revision(client)}).status_code == 303
        save_question(client, index, data)
    assert client.post(f"{DRAFT}/kpis", data={"revision": revision(client)}).status_code == 303
    response = client.post(f"{DRAFT}/kpis/0", data={
        "revision": revision(client, f"{DRAFT}/kpis/0"), "key": "staff_satisfaction_rate",
        "question": "staff_satisfaction", "success": ["satisfied", "somewhat_satisfied"],
        "no_answer_in_base": "true", "direction": "up", "baseline_value": "72.5%",
        "baseline_fiscal_year": "２０２５", "target_value": "80%", "target_fiscal_year": "2030",
        "title_ja": "図書館職員の対応に満足している利用者の割合", "headline_ja": "「満足」＋「やや満足」"})
    assert response.status_code == 303


def test_author_writes_a_survey_without_problems_and_publishes_version_1(app: Flask) -> None:
    client = new_survey(app)
    write_library_survey(client)
    overview = client.get(DRAFT).get_data(as_text=True)
    assert "問題はありません" in overview
    with app.app_context():
        kpi = get_survey(KEY).draft.definition["kpis"][0]
        assert (kpi["baseline_value"], kpi["baseline_fiscal_year"], kpi["target_value"]) == (0.725, 2025, 0.8)
    page = client.get(f"{DRAFT}/publish").get_data(as_text=True)
    assert "第1版として公開する" in page
    response = client.post(f"{DRAFT}/publish", data={"revision": revision(client, f"{DRAFT}/publish"), "current": ""})
    assert response.status_code == 303
    with app.app_context():
        survey = get_survey(KEY)
        assert survey.current_version is not None and survey.current_version.number == 1 and survey.draft is None
        defn = version_definition(survey.current_version)
        assert [q.key for q in defn.questions] == ["visit_purpose", "staff_satisfaction", "comment"]
        assert defn.kpis[0].success == ("satisfied", "somewhat_satisfied")


def test_problems_stand_beside_the_field_with_the_files_messages(app: Flask) -> None:
    client = new_survey(app)
    save_question(client, 0, question_form("Visit Purpose", "来館目的", [("borrow", "借りる"), ("borrow", "返す")]))
    html = unescape(client.get(f"{DRAFT}/questions/0").get_data(as_text=True))
    key_error = re.search(r'<p class="field-error" id="key-error1">(.*?)</p>', html)
    assert key_error and '"Visit Purpose" は設問キーに使えません' in key_error.group(1)
    assert 'id="key" name="key"' in html and 'aria-invalid="true"' in html
    duplicate = re.search(r'id="options-1-code-error1">(.*?)</p>', html)
    assert duplicate and '回答コード "borrow" が重複しています（options[0] と同じです）' in duplicate.group(1)
    assert "選択肢2・回答コード：" in html and "設問キー：" in html  # the summary names each place
    client.post(f"{DRAFT}/kpis", data={"revision": revision(client)})
    client.post(f"{DRAFT}/kpis/0", data={"revision": revision(client, f"{DRAFT}/kpis/0"), "key": "rate",
                                         "question": "x", "baseline_value": "28.4", "direction": "up",
                                         "baseline_fiscal_year": "2025", "target_fiscal_year": "2030"})
    kpi_page = unescape(client.get(f"{DRAFT}/kpis/0").get_data(as_text=True))
    assert "百分率ではなく 0〜1 の割合で書いてください（28.4 % は 0.284 と書きます）" in kpi_page
    overview = client.get(DRAFT).get_data(as_text=True)
    assert f'href="/staff/surveys/{KEY}/draft/kpis/0#baseline_value"' in overview


def test_questions_and_options_are_reordered_with_buttons(app: Flask) -> None:
    client = new_survey(app)
    write_library_survey(client)
    response = client.post(f"{DRAFT}/questions/2/move", data={"revision": revision(client), "direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#q-1")
    path = f"{DRAFT}/questions/0"
    form = question_form("visit_purpose", "本日の主な来館目的は何ですか。", PURPOSES)
    response = client.post(path, data={**form, "action": "option-down-0", "revision": revision(client, path)})
    assert response.headers["Location"].endswith("#option-1")
    with app.app_context():
        data = get_survey(KEY).draft.definition
        assert [q["key"] for q in data["questions"]] == ["visit_purpose", "comment", "staff_satisfaction"]
        assert [o["code"] for o in data["questions"][0]["options"]] == ["study", "borrow", "other"]
    response = client.post(path, data={**form, "action": "add-option", "revision": revision(client, path)})
    assert response.headers["Location"].endswith("#option-3")
    html = client.get(path).get_data(as_text=True)
    assert 'name="options-3-code"' in html and "上へ<span class=\"visually-hidden\">（選択肢 4）" in html


def test_a_form_sent_twice_or_after_another_save_changes_nothing(app: Flask) -> None:
    client = new_survey(app)
    old = revision(client)
    assert client.post(f"{DRAFT}/questions", data={"revision": old}).status_code == 303
    response = client.post(f"{DRAFT}/questions", data={"revision": old}, follow_redirects=True)
    assert "保存していません" in response.get_data(as_text=True)
    with app.app_context():
        assert len(get_survey(KEY).draft.definition["questions"]) == 2


def test_a_draft_downloads_and_uploads_as_excel(app: Flask) -> None:
    client = new_survey(app)
    write_library_survey(client)
    download = client.get(f"/staff/surveys/{KEY}/draft.xlsx")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(f"{DRAFT}/upload", data={"file": (_bytes(b"no workbook"), "library.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "library.xlsx: Excel ブック（.xlsx）として読めません" in response.get_data(as_text=True)
    response = client.post(f"{DRAFT}/upload", data={"file": (_bytes(download.data), "library.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303


def _bytes(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


def test_copy_and_archive_from_the_survey_pages(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    response = client.post("/staff/surveys/new", data={"source": "copy", "copy_from": "counter", "key": "counter-2027",
                                                       "title": ""})
    assert response.status_code == 303
    with app.app_context():
        assert get_survey("counter-2027").draft.definition["title"]["ja"] == "市役所窓口に関するアンケート"
    bad = client.post("/staff/surveys/new", data={"source": "blank", "key": "counter", "title": "x"})
    assert bad.status_code == 400 and "すでに使われています" in bad.get_data(as_text=True)
    assert client.post("/staff/surveys/counter/archive").status_code == 303
    listing = client.get("/staff/surveys").get_data(as_text=True)
    assert "/staff/surveys/counter\"" not in listing and "counter-2027" in listing
    assert "/staff/surveys/counter\"" in client.get("/staff/surveys?archived=1").get_data(as_text=True)
    assert "市役所窓口に関するアンケート" not in client.get("/").get_data(as_text=True)
    assert client.post("/staff/surveys/counter/restore").status_code == 303
    with app.app_context():
        assert get_survey("counter").archived_at is None


def test_author_edits_but_cannot_archive_or_manage_links(app: Flask) -> None:
    client = new_survey(app)
    assert client.get("/staff/surveys").status_code == 200
    assert client.post("/staff/surveys/counter/archive").status_code == 403
    assert client.get("/staff/surveys/counter").status_code == 403
    assert client.get("/staff/").status_code == 403  # KPI results are for analysts and admins
    analyst = app.test_client()
    login(analyst, app, "analyst")
    assert analyst.get(DRAFT).status_code == 403


def test_discarding_a_draft_keeps_the_published_version(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "author")
    assert client.post("/staff/surveys/counter/draft").status_code == 303
    assert client.post("/staff/surveys/counter/draft/discard").status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyDraft)) == 0
        assert get_survey("counter").current_version.number == 1


def _settings(client: FlaskClient, **changes: str) -> str:
    path = f"{DRAFT}/settings"
    html = client.get(path).get_data(as_text=True)
    data = {"revision": revision(client, path), "audience": "residents", "default_language": "ja",
            "title_ja": "図書館利用者アンケート", **changes}
    assert 'id="minutes"' in html and 'id="contact_phone"' in html and 'id="report_department"' in html
    response = client.post(path, data=data)
    assert response.status_code == 303
    return unescape(client.get(path).get_data(as_text=True))


def test_settings_set_the_time_needed_the_contact_and_the_report_summary(app: Flask) -> None:
    client = new_survey(app)
    write_library_survey(client)
    html = _settings(client, minutes="３", contact_name_ja="中央図書館", contact_phone="058-383-1122",
                     contact_privacy_policy="https://library.example.jp/privacy",
                     report_population="図書館の来館者", report_department="教育委員会 中央図書館")
    assert 'value="3"' in html and 'value="058-383-1122"' in html
    with app.app_context():
        data = get_survey(KEY).draft.definition
        assert data["minutes"] == 3
        assert data["contact"] == {"name": {"ja": "中央図書館"}, "phone": "058-383-1122",
                                   "privacy_policy": "https://library.example.jp/privacy"}
        assert data["report"] == {"population": "図書館の来館者", "department": "教育委員会 中央図書館"}

    # The schema's messages stand beside the fields; nothing else on the page is lost.
    html = _settings(client, minutes="三分", contact_phone="call us", contact_name_ja="中央図書館")
    minutes = re.search(r'id="minutes-error1">(.*?)</p>', html)
    assert minutes and "整数にしてください" in minutes.group(1)
    phone = re.search(r'id="contact_phone-error1">(.*?)</p>', html)
    assert phone and "電話番号（例: 058-383-1111）ではありません" in phone.group(1)
    html = _settings(client, contact_phone="058-383-1122")
    name = re.search(r'id="contact_name_ja-error1">(.*?)</p>', html)
    assert name and "問い合わせ先の名前がありません" in name.group(1)

    # Emptied again: the keys are left out of the definition, as in a file that never had them.
    _settings(client)
    with app.app_context():
        data = get_survey(KEY).draft.definition
        assert "minutes" not in data and "contact" not in data and "report" not in data
