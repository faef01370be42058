"""Double entry of paper questionnaires: two different people key each one; equal entries become
one paper response of the batch; differences wait for an admin or a third person and never reach
the results before; blanks and multiple marks follow the KPI's no-answer rule."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.paper.models import PaperBatch, PaperEntry, PaperQuestionnaire
from surveyapp.paper.services import EntryRefused, key_entry
from surveyapp.respond.models import Answer, Response
from surveyapp.results.declarations import find_declaration
from surveyapp.results.kpis import kpi_year_results
from surveyapp.surveys.definitions import builtin_paths, loads_definition
from surveyapp.surveys.services import load_survey
from surveyapp.timeutil import to_japan

from .helpers import ANSWERS, SURVEY, admin, batch_row, key, keyer, new_batch

KPI = "digital_satisfaction_rate"


def _responses(app: Flask) -> list[Response]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Response).where(Response.channel == "paper")))
        for row in rows:
            _ = list(row.answers)
            db.session.expunge(row)
        return rows


def _questionnaire(app: Flask, batch_id: int, serial: int) -> PaperQuestionnaire:
    with app.app_context():
        row = db.session.scalar(sa.select(PaperQuestionnaire).where(
            PaperQuestionnaire.batch_id == batch_id, PaperQuestionnaire.serial == serial))
        assert row is not None
        db.session.expunge(row)
        return row


def _kpi(app: Flask) -> Any:
    with app.app_context():
        results = kpi_year_results(find_declaration(SURVEY, KPI))
        return results[-1] if results else None


def test_two_equal_entries_by_two_people_make_one_paper_response_of_the_batch(app: Flask) -> None:
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first, received_on="2026-06-03")
    assert key(first, batch_id, 12, ANSWERS).status_code == 303
    assert "No.12 の1回目を保存しました" in first.get(f"/staff/paper/batches/{batch_id}/entry").get_data(as_text=True)
    assert _responses(app) == []  # one entry is not a response
    assert key(second, batch_id, 12, ANSWERS).status_code == 303
    assert "回答として集計しました" in second.get(f"/staff/paper/batches/{batch_id}/entry").get_data(as_text=True)
    [response] = _responses(app)
    batch = batch_row(app, batch_id)
    assert response.link_id == batch.link_id and response.channel == "paper"
    assert to_japan(response.submitted_at).date().isoformat() == "2026-06-03" and response.fiscal_year == 2026
    stored = {(a.question_key, a.option_code, a.text) for a in response.answers}
    assert stored == {("digital_satisfaction", "satisfied", None), ("services_used", "website", None),
                      ("services_used", "line", None), ("age_band", "70_over", None), ("gender", "female", None),
                      ("area", "naka", None), ("comment", None, "紙でも答えられて助かります。")}
    questionnaire = _questionnaire(app, batch_id, 12)
    assert questionnaire.state == "done" and questionnaire.response_id == response.id
    # The batch's link is not a web address.
    assert first.get(f"/s/{_link_code(app, batch.link_id)}").status_code == 404


def _link_code(app: Flask, link_id: int) -> str:
    from surveyapp.surveys.models import Link

    with app.app_context():
        link = db.session.get(Link, link_id)
        assert link is not None
        return link.code


def test_the_same_person_cannot_key_both_entries(app: Flask) -> None:
    first = keyer(app, "keyer-a")
    boss = admin(app)
    batch_id = new_batch(first)
    assert key(first, batch_id, 1, ANSWERS).status_code == 303
    again = key(first, batch_id, 1, ANSWERS)
    assert again.status_code == 400
    assert "2回目は別の職員が入力します" in again.get_data(as_text=True)
    # The rule lives in the service (and a unique constraint), not only on the page.
    with app.app_context():
        batch = db.session.get(PaperBatch, batch_id)
        assert batch is not None
        keyed_by = db.session.scalar(sa.select(PaperEntry.keyed_by))
        assert keyed_by is not None
        with pytest.raises(EntryRefused):
            key_entry(batch, user_id=keyed_by, serial=1, code="", values=ANSWERS)
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 1
        db.session.add(PaperEntry(questionnaire_id=db.session.scalar(sa.select(PaperQuestionnaire.id)), round=2,
                                  keyed_by=keyed_by, values={}))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert _responses(app) == []
    assert key(boss, batch_id, 1, ANSWERS).status_code == 303  # an admin is another person
    assert len(_responses(app)) == 1
    assert key(boss, batch_id, 2, ANSWERS).status_code == 303
    assert key(boss, batch_id, 2, ANSWERS).status_code == 400  # admins neither


def test_differences_are_listed_field_by_field_and_never_reach_the_results(app: Flask) -> None:
    first, second, third = keyer(app, "keyer-a"), keyer(app, "keyer-b"), keyer(app, "keyer-c")
    batch_id = new_batch(first)
    before = _kpi(app)
    assert key(first, batch_id, 3, ANSWERS).status_code == 303
    misread = dict(ANSWERS, digital_satisfaction="somewhat_satisfied", comment="紙でも答えられて助かりました。")
    assert key(second, batch_id, 3, misread).status_code == 303
    assert "1回目と違うところがあります" in second.get(f"/staff/paper/batches/{batch_id}/entry").get_data(as_text=True)
    questionnaire = _questionnaire(app, batch_id, 3)
    assert questionnaire.state == "discrepancies"
    assert _responses(app) == [] and _kpi(app) == before  # nothing counted while it differs
    batch_page = third.get(f"/staff/paper/batches/{batch_id}").get_data(as_text=True)
    assert "くい違い・重複の確認待ち" in batch_page
    detail = third.get(f"/staff/paper/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert detail.count('class="differs"') == 2
    assert "1 満足" in detail and "2 やや満足" in detail
    assert 'name="q_digital_satisfaction"' in detail and 'name="q_comment"' in detail
    assert 'name="q_age_band"' not in detail  # agreed fields are not asked again
    # A keyer of the questionnaire may not settle it; a third person does, against the paper.
    mine = first.get(f"/staff/paper/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "確定できません" in mine and 'name="q_digital_satisfaction"' not in mine
    refused = first.post(f"/staff/paper/questionnaires/{questionnaire.id}/resolve",
                         data={"q_digital_satisfaction": "satisfied", "q_comment": "x"}, follow_redirects=True)
    assert "確定できません" in refused.get_data(as_text=True)
    assert _responses(app) == []
    missing = third.post(f"/staff/paper/questionnaires/{questionnaire.id}/resolve", data={"q_comment": "x"})
    assert missing.status_code == 400 and "0 無回答" in missing.get_data(as_text=True)
    assert _responses(app) == []
    resolved = third.post(f"/staff/paper/questionnaires/{questionnaire.id}/resolve", data={
        "q_digital_satisfaction": "satisfied", "q_comment": "紙でも答えられて助かります。"})
    assert resolved.status_code == 303
    [response] = _responses(app)
    answers = {a.question_key: a.option_code or a.text for a in response.answers}
    assert answers["digital_satisfaction"] == "satisfied" and answers["age_band"] == "70_over"
    assert answers["comment"] == "紙でも答えられて助かります。"
    after = _kpi(app)
    assert after is not None and after.responses == (before.responses if before else 0) + 1
    assert _questionnaire(app, batch_id, 3).state == "done"


def test_texts_that_differ_only_in_spaces_or_width_agree(app: Flask) -> None:
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first)
    key(first, batch_id, 1, dict(ANSWERS, comment="バスを増やして ほしい 2本"))
    key(second, batch_id, 1, dict(ANSWERS, comment="バスを増やして　ほしい  ２本"))
    [response] = _responses(app)
    assert {a.text for a in response.answers if a.text} == {"バスを増やして ほしい 2本"}  # the first entry's text


def _no_answer_version(app: Flask, in_base: bool) -> None:
    """Make the current version of the survey count 無回答 in the KPI base or not."""
    source = next(p for p in builtin_paths() if p.stem == SURVEY).read_text(encoding="utf-8")
    assert "no_answer_in_base = true" in source
    with app.app_context():
        load_survey(loads_definition(source.replace("no_answer_in_base = true",
                                                    f"no_answer_in_base = {'true' if in_base else 'false'}")))


@pytest.mark.parametrize("in_base", [True, False])
def test_blanks_and_multiple_marks_are_no_answer_and_follow_the_kpi_rule(app: Flask, in_base: bool) -> None:
    if not in_base:
        _no_answer_version(app, in_base=False)
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first, expected=4)
    sheets = {1: dict(ANSWERS, digital_satisfaction="-"),                 # left blank
              2: dict(ANSWERS, digital_satisfaction="*", services_used="*"),  # two boxes ticked / unreadable
              3: dict(ANSWERS, digital_satisfaction="dissatisfied"),
              4: dict(ANSWERS, digital_satisfaction="satisfied", services_used=[])}  # none ticked = 無回答
    for serial, answers in sheets.items():
        assert key(first, batch_id, serial, answers).status_code == 303
        assert key(second, batch_id, serial, answers).status_code == 303
    responses = {r.id: r for r in _responses(app)}
    assert len(responses) == 4
    kpi_answers = [[a.option_code for a in r.answers if a.question_key == "digital_satisfaction"]
                   for r in responses.values()]
    assert sorted(map(tuple, kpi_answers)) == [(), (), ("dissatisfied",), ("satisfied",)]
    result = _kpi(app)
    assert result is not None and result.kpi.no_answer_in_base is in_base
    assert result.no_answer == 2 and result.successes == 1
    assert result.base_n == (4 if in_base else 2)
    with app.app_context():
        marked = db.session.scalar(sa.select(PaperQuestionnaire.final_values).where(
            PaperQuestionnaire.batch_id == batch_id, PaperQuestionnaire.serial == 2))
        assert marked is not None and marked["digital_satisfaction"] == "*"  # the kind of mark is kept for the batch


@pytest.mark.parametrize(("answers", "message"), [
    ({**ANSWERS, "digital_satisfaction": ""}, "空欄なら「0 無回答」"),
    ({**ANSWERS, "digital_satisfaction": "very_satisfied"}, "選択肢の中から選んでください"),
    ({**ANSWERS, "services_used": ["none", "website"]}, "「判読不能」を選んでください"),
    ({**ANSWERS, "services_used": ["*", "website"]}, "「判読不能」は、ほかの選択肢と一緒には選べません"),
    ({**ANSWERS, "comment": "あ" * 2001}, "2000文字以内"),
])
def test_entries_that_do_not_fit_the_paper_are_refused_with_a_message(app: Flask, answers: dict[str, Any],
                                                                      message: str) -> None:
    client = keyer(app, "keyer-a")
    batch_id = new_batch(client)
    response = key(client, batch_id, 1, answers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "<title>エラー：" in page and 'value="1"' in page  # what was typed stays on the screen
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 0


def test_a_serial_keyed_in_another_batch_of_the_year_is_refused(app: Flask) -> None:
    client = keyer(app, "keyer-a")
    june = new_batch(client, label="6月3日受付分")
    july = new_batch(client, label="7月1日受付分", received_on="2026-07-01")
    assert key(client, june, 5, ANSWERS).status_code == 303
    refused = key(client, july, 5, ANSWERS)
    assert refused.status_code == 400 and "束「6月3日受付分」ですでに入力されています" in refused.get_data(as_text=True)


def test_a_keyer_takes_back_an_entry_under_a_wrong_serial(app: Flask) -> None:
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first)
    key(first, batch_id, 99, ANSWERS)
    questionnaire_id = _questionnaire(app, batch_id, 99).id
    assert second.post(f"/staff/paper/questionnaires/{questionnaire_id}/withdraw").status_code == 303
    assert "入力した本人か管理者" in second.get(f"/staff/paper/questionnaires/{questionnaire_id}").get_data(
        as_text=True)
    assert first.post(f"/staff/paper/questionnaires/{questionnaire_id}/withdraw").status_code == 303
    with app.app_context():
        assert db.session.get(PaperQuestionnaire, questionnaire_id) is None


def test_batch_status_keyed_once_then_discrepancies_then_done(app: Flask) -> None:
    first, second, third = keyer(app, "keyer-a"), keyer(app, "keyer-b"), keyer(app, "keyer-c")
    batch_id = new_batch(first, expected=2)

    def status() -> str:
        from surveyapp.results.paper_batches import batch_progress

        with app.app_context():
            batch = db.session.get(PaperBatch, batch_id)
            assert batch is not None
            return batch_progress([batch])[batch_id].status

    assert status() == "not_started"
    key(first, batch_id, 1, ANSWERS)
    key(first, batch_id, 2, ANSWERS)
    assert status() == "keyed_once"
    key(second, batch_id, 1, ANSWERS)
    assert status() == "keyed_once"
    key(second, batch_id, 2, dict(ANSWERS, gender="male"))
    assert status() == "discrepancies"
    questionnaire = _questionnaire(app, batch_id, 2)
    third.post(f"/staff/paper/questionnaires/{questionnaire.id}/resolve", data={"q_gender": "female"})
    assert status() == "done"
    index = first.get("/staff/paper").get_data(as_text=True)
    assert "完了" in index


def test_a_batch_needs_a_name_a_past_date_and_a_count(app: Flask) -> None:
    client = keyer(app, "keyer-a")
    page = client.post("/staff/paper/batches", data={"survey": SURVEY, "label": "", "received_on": "2026-06-03",
                                                      "expected": "0"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "束の名前を入力してください" in text and "1〜5,000の数" in text
    future = client.post("/staff/paper/batches", data={"survey": SURVEY, "label": "未来", "received_on": "2999-01-01",
                                                        "expected": "3"})
    assert future.status_code == 400 and "未来の日付" in future.get_data(as_text=True)
    new_batch(client, label="6月3日受付分")
    same = client.post("/staff/paper/batches", data={"survey": SURVEY, "label": "6月3日受付分",
                                                      "received_on": "2026-06-03", "expected": "3"})
    assert same.status_code == 400 and "すでにあります" in same.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperBatch.id))) == 1


def test_a_questionnaire_is_stored_once_however_often_it_is_finalised(app: Flask) -> None:
    from surveyapp.paper.services import _finalise

    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first)
    key(first, batch_id, 1, ANSWERS)
    key(second, batch_id, 1, ANSWERS)
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(PaperQuestionnaire))
        assert questionnaire is not None
        assert _finalise(questionnaire) == "done"
        assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.channel == "paper")) == 1
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 7


def test_the_response_keeps_the_papers_received_day_even_when_keyed_later(app: Flask) -> None:
    client, other = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(client, received_on="2026-03-31")  # the last day of FY2025
    key(client, batch_id, 1, ANSWERS)
    key(other, batch_id, 1, ANSWERS)
    [response] = _responses(app)
    assert response.fiscal_year == 2025
    assert to_japan(response.submitted_at).replace(tzinfo=None) == datetime(2026, 3, 31, 12, 0)
    assert isinstance(response.client_uuid, uuid.UUID)
