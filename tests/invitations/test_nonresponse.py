"""The KPI weighted by the invitation strata: beside the unweighted result, computed by the
existing engine, checked against an independent computation; the response rates per stratum."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from flask import Flask

from surveyapp.invitations.frame import parse_frame
from surveyapp.invitations.returns import mark_undelivered
from surveyapp.invitations.services import find_invitation, invitation_claim
from surveyapp.invitations.waves import DrawPlan, LetterDetails, create_drawn_wave
from surveyapp.respond.services import submit_response
from surveyapp.results import find_declaration
from surveyapp.results.nonresponse import nonresponse_weighted
from surveyapp.results.response_rates import survey_response_rates
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan
from tests.conftest import login

from .test_frame import EXAMPLE

# Older residents answer more often and are less satisfied: the unweighted sample is biased.
RESPONSE = {"18_29": 0.25, "30_39": 0.3, "40_49": 0.4, "50_59": 0.5, "60_69": 0.6, "70_over": 0.7}
SATISFIED = {"18_29": 0.6, "30_39": 0.5, "40_49": 0.4, "50_59": 0.3, "60_69": 0.2, "70_over": 0.15}


def _fieldwork(app: Flask, *, returned: int = 0) -> dict[str, list[tuple[str, bool]]]:
    """Draw 600, answer some; returns per stratum key the (answer code, in base) of respondents."""
    rng = random.Random(7)
    frame = parse_frame(EXAMPLE.read_bytes(), ["age_band", "gender"])
    answered: dict[str, list[tuple[str, bool]]] = {}
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        created = create_drawn_wave(survey, label="第1回発送", frame=frame, plan=DrawPlan(n=600, seed="20260401"),
                                    details=LetterDetails(sent_on=datetime(2026, 6, 1).date()))
        wave = created.wave
        issued = list(created.invitations)
        if returned:
            mark_undelivered(wave, [i.display_code for i in issued[:returned]], user_id=None)
        for item in issued[returned:]:
            age, gender = item.cells
            if rng.random() >= RESPONSE[age]:
                continue
            code = "not_used" if rng.random() < 0.05 else (
                "satisfied" if rng.random() < SATISFIED[age] else "dissatisfied")
            invitation = find_invitation(item.code)
            submit_response(defn=defn, version=version, link=wave.link, channel="invitation",
                            client_uuid=uuid.uuid4(), answers={"digital_satisfaction": code, "age_band": age},
                            now=from_japan(datetime(2026, 6, 10, 12)),
                            claim=invitation_claim(invitation.id, "invitation"))
            answered.setdefault(f'["{age}","{gender}"]', []).append((code, code != "not_used"))
    return answered


def _frame_counts() -> dict[str, int]:
    frame = parse_frame(EXAMPLE.read_bytes(), ["age_band", "gender"])
    return {f'["{a}","{g}"]': len(units) for (a, g), units in frame.strata.items()}


def test_poststratified_estimate_matches_an_independent_computation(app: Flask) -> None:
    answered = _fieldwork(app)
    counts = _frame_counts()
    numerator = denominator = 0.0
    for key, answers in answered.items():
        weight = counts[key] / len(answers)
        numerator += weight * sum(1 for code, _ in answers if code == "satisfied")
        denominator += weight * sum(1 for _, in_base in answers if in_base)
    expected = numerator / denominator
    flat = [a for answers in answered.values() for a in answers]
    raw = sum(1 for code, _ in flat if code == "satisfied") / sum(1 for _, b in flat if b)
    with app.app_context():
        result = nonresponse_weighted(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
        assert result is not None
        assert result.frame_total == 3000 and result.columns == ("age_band", "gender")
        post, inverse = result.methods
        assert post.method == "poststratify" and post.scheme == "poststratify"
        assert post.estimate is not None and abs(post.estimate - expected) < 1e-12
        assert post.respondents == len(flat)
        assert result.unweighted_sample is not None
        assert abs(result.unweighted_sample.estimate - raw) < 1e-12  # type: ignore[operator]
        # Weighting moves the estimate towards the young, more satisfied residents.
        assert post.estimate > raw
        # Without returned letters both methods agree (up to the rounding of the allocation).
        assert inverse.estimate is not None and abs(inverse.estimate - post.estimate) < 1e-9
        assert post.proportion is not None and post.proportion.low < post.estimate < post.proportion.high


def test_returned_letters_change_the_inverse_rate_weights_only(app: Flask) -> None:
    _fieldwork(app, returned=40)
    with app.app_context():
        result = nonresponse_weighted(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
        assert result is not None
        post, inverse = result.methods
        assert post.population_total == 3000
        assert inverse.population_total < 3000
        rates = survey_response_rates(get_survey("digital-services"), 2026)[0]
        assert rates.counts.invited == 600 and rates.counts.undelivered == 40
        assert sum(s.counts.invited for s in rates.strata) == 600


def test_kpi_page_shows_the_weighted_rows_beside_the_unweighted(app: Flask) -> None:
    _fieldwork(app)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate?fiscal_year=2026").get_data(as_text=True)
    assert "無作為抽出の層による重み付け" in html
    assert "すべての回答（重みなし）" in html and "案内状からの回答のみ（重みなし）" in html
    assert "事後層化（名簿の層ごとの人数に合わせる）" in html and "層ごとの回収率の逆数" in html
    assert "有限母集団修正は名簿の総数 N=3,000" in html
    fieldwork = client.get("/staff/surveys/digital-services/fieldwork?fiscal_year=2026").get_data(as_text=True)
    assert "第1回発送：層ごとの回収率（age_band × gender）" in fieldwork
    assert "70_over × female" in fieldwork
    assert "いまの回収率（RR1" in fieldwork
