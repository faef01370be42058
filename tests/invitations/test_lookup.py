"""Public look-ups: the rate limit on failed look-ups, starting and resuming with a code."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask

from surveyapp.extensions import db
from surveyapp.invitations.codes import check_character, display
from surveyapp.invitations.limits import GLOBAL_LOOKUP_LIMIT, LOOKUP_LIMIT
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.services import (
    CodeAlreadyUsed,
    CodeMalformed,
    CodeUnknown,
    TooManyAttempts,
    claim_invitation,
    lookup_code,
    start_or_resume,
)
from surveyapp.surveys.services import get_survey

from .helpers import codes_wave

NOW = datetime(2026, 6, 1, 3, 0)


def _unknown(n: int) -> str:
    body = f"{n:08d}".translate(str.maketrans("01", "AB"))
    return display(body + check_character(body))


def test_failed_lookups_are_limited_per_source_and_typos_do_not_count(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    with app.app_context():
        for _ in range(30):
            with pytest.raises(CodeMalformed):
                lookup_code(codes[0][:-1] + ("A" if codes[0][-1] != "A" else "B"), "source-a", now=NOW)
        for n in range(LOOKUP_LIMIT.failures):
            with pytest.raises(CodeUnknown):
                lookup_code(_unknown(n), "source-a", now=NOW)
        with pytest.raises(TooManyAttempts) as blocked:
            lookup_code(codes[0], "source-a", now=NOW)  # even a right code waits
        assert 0 < blocked.value.retry_after <= LOOKUP_LIMIT.seconds
        assert lookup_code(codes[0], "source-b", now=NOW).id  # another source is not affected
        later = NOW + timedelta(seconds=LOOKUP_LIMIT.seconds)
        assert lookup_code(codes[0], "source-a", now=later).id


def test_all_sources_together_have_a_ceiling(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    with app.app_context():
        per_source = LOOKUP_LIMIT.failures - 1
        sources = GLOBAL_LOOKUP_LIMIT.failures // per_source + 1
        n = 0
        for s in range(sources):
            for _ in range(per_source):
                if n >= GLOBAL_LOOKUP_LIMIT.failures:
                    break
                with pytest.raises(CodeUnknown):
                    lookup_code(_unknown(n), f"source-{s}", now=NOW)
                n += 1
        with pytest.raises(TooManyAttempts):
            lookup_code(codes[0], "fresh-source", now=NOW)


def test_a_code_starts_and_the_same_code_resumes_the_same_answers(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    with app.app_context():
        version = get_survey("digital-services").current_version
        assert version is not None
        invitation = lookup_code(codes[0], "s", now=NOW)
        flow = start_or_resume(invitation, version)
        assert db.session.get(Invitation, invitation.id).state == "started"  # type: ignore[union-attr]
        again = start_or_resume(lookup_code(codes[0], "s", now=NOW), version)
        assert again.id == flow.id and again.token == flow.token
        assert claim_invitation(invitation.id, "invitation")
        db.session.commit()
        used = db.session.get(Invitation, invitation.id)
        assert used is not None and used.flow_id is None  # the answers are no longer linked
        with pytest.raises(CodeAlreadyUsed):
            start_or_resume(used, version)
