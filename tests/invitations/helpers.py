"""Invitation waves for tests, made through the real use cases."""

from __future__ import annotations

from flask import Flask

from surveyapp.invitations.codes import display
from surveyapp.invitations.waves import LetterDetails, create_codes_wave
from surveyapp.surveys.services import get_survey


def codes_wave(app: Flask, survey_key: str = "digital-services", count: int = 5,
               label: str = "第1回発送") -> tuple[int, list[str]]:
    """A codes-only wave; returns its id and its codes as printed (e.g. KX7-P42-MRQ)."""
    with app.app_context():
        created = create_codes_wave(get_survey(survey_key), label=label, count=count,
                                    details=LetterDetails(contact="各務原市 総合政策課"))
        return created.wave.id, [display(i.code) for i in created.invitations]
