"""A code is used exactly once — also under 20 simultaneous submissions — and stored only as a
keyed hash: the plain code is nowhere in the database."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.invitations.codes import CodeMalformed, check_character, display, normalise
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.services import (
    CodeAlreadyUsed,
    CodeUnknown,
    claim_invitation,
    find_invitation,
    invitation_claim,
)
from surveyapp.respond.models import Response
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition

from .helpers import codes_wave

ANSWERS = {"digital_satisfaction": "satisfied", "age_band": "30_39", "gender": "female"}


def _submit(app: Flask, invitation_id: int, client_uuid: uuid.UUID, channel: str = "invitation") -> Any:
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        try:
            return submit_response(defn=version_definition(version), version=version, link=None,
                                   channel=channel, client_uuid=client_uuid, answers=ANSWERS,
                                   claim=invitation_claim(invitation_id, channel))
        finally:
            db.session.remove()


def _invitation_id(app: Flask, code: str) -> int:
    with app.app_context():
        return find_invitation(code).id


def _race(app: Flask, invitation_id: int, uuids: list[uuid.UUID]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(uuids))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(client_uuid: uuid.UUID) -> None:
        barrier.wait()
        try:
            results.append(_submit(app, invitation_id, client_uuid))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertions
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in uuids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _responses(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count(Response.id))) or 0)


def test_twenty_simultaneous_submissions_with_one_code_store_one_response(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    invitation_id = _invitation_id(app, codes[0])
    results, errors = _race(app, invitation_id, [uuid.uuid4() for _ in range(20)])
    assert len(results) == 1 and results[0].created
    assert len(errors) == 19 and all(isinstance(e, CodeAlreadyUsed) for e in errors), errors
    assert _responses(app) == 1
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None
        assert (invitation.state, invitation.used_channel) == ("used", "invitation")
        response = db.session.scalar(sa.select(Response))
        assert response is not None and response.invitation_stratum_id == invitation.stratum_id


def test_twenty_retries_of_one_submission_return_the_same_receipt(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    invitation_id = _invitation_id(app, codes[1])
    same = uuid.uuid4()
    results, errors = _race(app, invitation_id, [same] * 20)
    assert errors == []
    assert len({r.response_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert _responses(app) == 1


def test_a_used_code_never_makes_a_second_response_on_the_web_or_on_paper(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    invitation_id = _invitation_id(app, codes[2])
    assert _submit(app, invitation_id, uuid.uuid4()).created
    with pytest.raises(CodeAlreadyUsed):
        _submit(app, invitation_id, uuid.uuid4())
    with pytest.raises(CodeAlreadyUsed):
        _submit(app, invitation_id, uuid.uuid4(), channel="paper")
    assert _responses(app) == 1
    with app.app_context():
        assert claim_invitation(invitation_id, "paper") is False
        db.session.rollback()


def test_claim_inside_another_use_case_commits_with_it_or_not_at_all(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    invitation_id = _invitation_id(app, codes[3])
    with app.app_context():
        assert claim_invitation(invitation_id, "paper") is True
        db.session.rollback()  # the paper batch's use case failed: the code is still unused
        assert db.session.get(Invitation, invitation_id).state == "unused"  # type: ignore[union-attr]
        assert claim_invitation(invitation_id, "paper") is True
        db.session.commit()
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None and invitation.used_channel == "paper"


def test_a_wrong_check_character_is_refused_before_any_query(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    good = codes[0]
    last = good[-1]
    typo = good[:-1] + next(c for c in "ABCDEFGH" if c != last)
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *args: statements.append(str(args[2])))
        with pytest.raises(CodeMalformed) as caught:
            find_invitation(typo)
        assert caught.value.reason == "check"
        assert statements == []
        assert find_invitation(good.lower().replace("-", " ")).id > 0
        assert statements


def test_a_well_formed_code_that_was_never_issued_is_unknown(app: Flask) -> None:
    codes_wave(app)
    body = "23456789"
    with app.app_context(), pytest.raises(CodeUnknown):
        find_invitation(display(body + check_character(body)))


def _all_text(app: Flask) -> str:
    """Every value of every table, as text (bytes also as hex and latin-1)."""
    parts: list[str] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        parts += [raw.hex(), raw.decode("latin-1")]
                    else:
                        parts.append(str(value))
    return "\n".join(parts).upper()


def test_plain_codes_are_nowhere_in_the_database(app: Flask) -> None:
    _wave, codes = codes_wave(app, count=30)
    invitation_id = _invitation_id(app, codes[0])
    _submit(app, invitation_id, uuid.uuid4())
    text = _all_text(app)
    for code in codes:
        assert normalise(code) not in text
        assert code not in text


def test_a_response_cannot_be_joined_to_its_invitation(app: Flask) -> None:
    """The response keeps only the stratum; the invitation keeps no time and no flow once used."""
    referenced = {fk.column.table.name for fk in Response.__table__.foreign_keys}
    assert "invitations" not in referenced and "invitation_strata" in referenced
    assert not {c.name for c in Invitation.__table__.columns} & {"response_id", "used_at", "submitted_at"}
    _wave, codes = codes_wave(app)
    invitation_id = _invitation_id(app, codes[0])
    _submit(app, invitation_id, uuid.uuid4())
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None and invitation.flow_id is None
