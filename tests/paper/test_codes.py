"""Invitation codes on paper: checked with the check character before any look-up, counted in
the response rates per wave and stratum, never counted twice with the web (or another sheet),
and kept in the database only as keyed hashes — erased once the questionnaire is counted."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.invitations.codes import ALPHABET, check_character, display, normalise
from surveyapp.invitations.frame import parse_frame
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.services import find_invitation, invitation_claim
from surveyapp.invitations.waves import DrawPlan, create_drawn_wave
from surveyapp.paper.models import PaperEntry, PaperQuestionnaire
from surveyapp.respond.models import Response
from surveyapp.respond.services import submit_response
from surveyapp.results.response_rates import survey_response_rates
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import response_id_on
from tests.invitations.helpers import codes_wave
from tests.invitations.test_use_once import _all_text

from .helpers import ANSWERS, SURVEY, key, keyer, new_batch


def _count(app: Flask, channel: str | None = None) -> int:
    with app.app_context():
        query = sa.select(sa.func.count(Response.id)).where(Response.survey_id == get_survey(SURVEY).id)
        if channel:
            query = query.where(Response.channel == channel)
        return int(db.session.scalar(query) or 0)


def _questionnaire(app: Flask, batch_id: int, serial: int) -> PaperQuestionnaire:
    with app.app_context():
        row = db.session.scalar(sa.select(PaperQuestionnaire).where(
            PaperQuestionnaire.batch_id == batch_id, PaperQuestionnaire.serial == serial))
        assert row is not None
        db.session.expunge(row)
        return row


def _answer_on_the_web(app: Flask, code: str) -> None:
    with app.app_context():
        version = get_survey(SURVEY).current_version
        assert version is not None
        invitation = find_invitation(code)
        submit_response(defn=version_definition(version), version=version, link=invitation.wave.link,
                        channel="invitation", client_uuid=uuid.uuid4(),
                        answers={"digital_satisfaction": "dissatisfied"},
                        claim=invitation_claim(invitation.id, "invitation"))


def _typo(code: str) -> str:
    """The code with its second character changed: the check character no longer fits."""
    compact = normalise(code)
    other = next(c for c in ALPHABET if c != compact[1])
    return display(compact[0] + other + compact[2:])


def test_a_mistyped_code_is_caught_by_the_check_character_before_any_lookup(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _wave, codes = codes_wave(app, count=2)
    client = keyer(app, "keyer-a")
    batch_id = new_batch(client)
    looked_up: list[str] = []
    import surveyapp.invitations.services as invitation_services

    real = invitation_services.hash_code
    monkeypatch.setattr(invitation_services, "hash_code", lambda compact: looked_up.append(compact) or real(compact))
    typo = key(client, batch_id, 1, ANSWERS, code=_typo(codes[0]))
    assert typo.status_code == 400 and "チェック文字" in typo.get_data(as_text=True)
    short = key(client, batch_id, 1, ANSWERS, code=codes[0][:-1])
    assert short.status_code == 400 and "9文字" in short.get_data(as_text=True)
    wrong = key(client, batch_id, 1, ANSWERS, code="0" + codes[0][1:])
    assert wrong.status_code == 400 and "「0」はコードに使われない文字です" in wrong.get_data(as_text=True)
    both = key(client, batch_id, 1, {**ANSWERS, "gender": ""}, code=_typo(codes[0]))
    assert "チェック文字" in both.get_data(as_text=True) and "0 無回答" in both.get_data(as_text=True)
    assert looked_up == []  # none of them reached the database
    body = "23456789"
    unknown = body + check_character(body)
    missing = key(client, batch_id, 1, ANSWERS, code=display(unknown))
    assert missing.status_code == 400 and "このコードの案内状はありません" in missing.get_data(as_text=True)
    assert looked_up == [unknown]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 0
    # Typed as people type it from paper: lower case, full width, spaces.
    typed = codes[0].lower().replace("-", " ").translate(str.maketrans("abcdefghjkmnpqrstuvwxyz23456789",
                                                                      "ａｂｃｄｅｆｇｈｊｋｍｎｐｑｒｓｔｕｖｗｘｙｚ２３４５６７８９"))
    assert key(client, batch_id, 1, ANSWERS, code=typed).status_code == 303


def test_a_code_of_another_survey_is_refused(app: Flask) -> None:
    _wave, codes = codes_wave(app, survey_key="public-transport", count=1)
    client = keyer(app, "keyer-a")
    batch_id = new_batch(client)
    refused = key(client, batch_id, 1, ANSWERS, code=codes[0])
    assert refused.status_code == 400 and "別のアンケート" in refused.get_data(as_text=True)


def test_paper_responses_count_in_the_response_rates_per_wave_and_stratum(app: Flask) -> None:
    frame = parse_frame(("frame_id,gender\n" + "".join(
        f"R{i},{'male' if i % 2 else 'female'}\n" for i in range(40))).encode(), ["gender"])
    with app.app_context():
        created = create_drawn_wave(get_survey(SURVEY), label="第1回発送", frame=frame,
                                    plan=DrawPlan(n=5, allocation="fixed", seed="7"))
        wave_id = created.wave.id
        female = next(i for i in created.invitations if i.cells == ("female",))
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first, wave=str(wave_id))
    key(first, batch_id, 1, ANSWERS, code=female.display_code)
    key(second, batch_id, 1, ANSWERS, code=female.display_code)
    key(first, batch_id, 2, ANSWERS)  # a questionnaire without a code: a response, not in any rate
    key(second, batch_id, 2, ANSWERS)
    assert _count(app, "paper") == 2
    with app.app_context():
        [rates] = survey_response_rates(get_survey(SURVEY))
        strata = {s.cells["gender"]: s.counts for s in rates.strata}
        response = db.session.scalar(sa.select(Response).where(Response.invitation_stratum_id.is_not(None)))
        assert response is not None and response.channel == "paper"
    assert rates.wave_id == wave_id and rates.counts.paper == 1 and rates.counts.web == 0
    assert strata["female"].paper == 1 and strata["male"].paper == 0
    assert rates.counts.rates.rr1 == pytest.approx(1 / 10)
    batch_page = first.get(f"/staff/paper/batches/{batch_id}").get_data(as_text=True)
    assert "うちコードなし 1" in batch_page
    # The code is used: the resident who now tries it on the web is told the answer arrived.
    resident = app.test_client()
    assert resident.get(f"/i/{female.code}").status_code == 303
    assert resident.get("/code/start").headers["Location"].endswith("/code/received")


def test_a_code_answered_on_the_web_and_returned_on_paper_is_counted_once(app: Flask) -> None:
    _wave, codes = codes_wave(app, count=3)
    _answer_on_the_web(app, codes[0])
    first, second, third = keyer(app, "keyer-a"), keyer(app, "keyer-b"), keyer(app, "keyer-c")
    batch_id = new_batch(first)
    noted = key(first, batch_id, 1, ANSWERS, code=codes[0])
    assert noted.status_code == 303
    assert "すでに使われています" in first.get(noted.headers["Location"]).get_data(as_text=True)
    key(second, batch_id, 1, ANSWERS, code=codes[0])
    questionnaire = _questionnaire(app, batch_id, 1)
    assert questionnaire.state == "duplicate" and questionnaire.duplicate_of == "invitation"
    assert (_count(app), _count(app, "paper")) == (1, 0)  # the web answer only
    detail = third.get(f"/staff/paper/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "ウェブでの回答ですでに使われ" in detail and 'value="keep_other"' in detail
    assert "判断できません" in first.get(f"/staff/paper/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert third.post(f"/staff/paper/questionnaires/{questionnaire.id}/decision",
                      data={"decision": "keep_other"}).status_code == 303
    assert _questionnaire(app, batch_id, 1).state == "set_aside"
    assert (_count(app), _count(app, "paper")) == (1, 0)
    with app.app_context():
        [rates] = survey_response_rates(get_survey(SURVEY))
    assert (rates.counts.web, rates.counts.paper) == (1, 0)


def test_a_misread_code_is_corrected_instead(app: Flask) -> None:
    _wave, codes = codes_wave(app, count=3)
    _answer_on_the_web(app, codes[0])
    first, second, third = keyer(app, "keyer-a"), keyer(app, "keyer-b"), keyer(app, "keyer-c")
    batch_id = new_batch(first)
    key(first, batch_id, 1, ANSWERS, code=codes[0])
    key(second, batch_id, 1, ANSWERS, code=codes[0])
    questionnaire_id = _questionnaire(app, batch_id, 1).id
    url = f"/staff/paper/questionnaires/{questionnaire_id}/decision"
    same = third.post(url, data={"decision": "correct_code", "code": codes[0]})
    assert same.status_code == 400 and "同じコードです" in same.get_data(as_text=True)
    empty = third.post(url, data={"decision": "correct_code", "code": ""})
    assert empty.status_code == 400 and "正しいコードを入力してください" in empty.get_data(as_text=True)
    assert third.post(url, data={"decision": "correct_code", "code": codes[1]}).status_code == 303
    assert _questionnaire(app, batch_id, 1).state == "done"
    assert (_count(app), _count(app, "paper")) == (2, 1)
    with app.app_context():
        assert find_invitation(codes[1]).used_channel == "paper"


def test_a_resident_who_started_on_the_web_cannot_add_a_second_answer_after_the_paper(app: Flask) -> None:
    _wave, codes = codes_wave(app, count=1)
    resident = app.test_client()
    assert resident.get(f"/i/{codes[0]}").status_code == 303
    started = resident.post("/code/start")
    assert started.status_code == 303
    page_url = started.headers["Location"]
    assert resident.post(page_url, data={"digital_satisfaction": "satisfied"}).status_code == 303
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first)
    key(first, batch_id, 1, ANSWERS, code=codes[0])
    key(second, batch_id, 1, ANSWERS, code=codes[0])
    assert _questionnaire(app, batch_id, 1).state == "done"  # the paper came first: it counts
    # The resident goes on to the last page and submits: refused kindly, nothing stored.
    link_code = page_url.split("/s/")[1].split("/")[0]
    with app.app_context():
        version = get_survey(SURVEY).current_version
        assert version is not None
        final = len(version_definition(version).pages())
    last = resident.get(f"/s/{link_code}/p/{final}")
    assert last.status_code == 200
    response_id = response_id_on(last.get_data(as_text=True))
    submitted = resident.post(f"/s/{link_code}/p/{final}", data={"response_id": response_id})
    assert submitted.status_code == 303 and submitted.headers["Location"].endswith("/code/received")
    assert (_count(app), _count(app, "paper")) == (1, 1)


def test_two_sheets_with_one_code_finalised_at_once_count_once(app: Flask) -> None:
    from surveyapp.paper.services import _finalise

    _wave, codes = codes_wave(app, count=1)
    batch_id = new_batch(keyer(app, "keyer-a"))
    with app.app_context():
        code_hash = find_invitation(codes[0]).code_hash
        ids = []
        for serial in (1, 2):  # two sheets with the same code, agreed but not yet counted
            questionnaire = PaperQuestionnaire(batch_id=batch_id, serial=serial, state="keying",
                                               final_values=dict(ANSWERS, services_used=["line"]),
                                               code_hash=code_hash, has_code=True)
            db.session.add(questionnaire)
            db.session.flush()
            ids.append(questionnaire.id)
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def run(questionnaire_id: int) -> None:
        barrier.wait(timeout=30)
        with app.app_context():
            try:
                questionnaire = db.session.get(PaperQuestionnaire, questionnaire_id)
                assert questionnaire is not None
                outcomes.append(_finalise(questionnaire))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["done", "duplicate"]
    assert _count(app, "paper") == 1
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation is not None and invitation.used_channel == "paper"


def test_codes_typed_from_paper_are_kept_only_as_hashes_and_erased_once_counted(app: Flask) -> None:
    _wave, codes = codes_wave(app, count=2)
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first)
    key(first, batch_id, 1, ANSWERS, code=codes[0])
    key(first, batch_id, 2, ANSWERS, code=codes[1])
    text = _all_text(app)
    assert not any(normalise(c) in text or c in text for c in codes)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id)).where(
            PaperEntry.code_hash.is_not(None))) == 2  # hashes, while the comparison needs them
    key(second, batch_id, 1, ANSWERS, code=codes[0])
    with app.app_context():
        done = db.session.scalar(sa.select(PaperQuestionnaire).where(PaperQuestionnaire.serial == 1))
        assert done is not None and done.state == "done" and done.code_hash is None and done.has_code
        assert all(e.code_hash is None for e in done.entries)  # nothing links the answers to the invitation
