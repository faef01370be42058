"""Responses with controlled counts, stored through the real submission service."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask

from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan


def add_responses(app: Flask, survey_key: str, answer_sets: Iterable[Mapping[str, Any]], *,
                  channel: str = "web", when: datetime = datetime(2026, 6, 1, 10, 0),
                  with_link: bool = True) -> int:
    """Submit each answer set once (Japan time ``when``); returns how many were stored."""
    stored = 0
    with app.app_context():
        survey = get_survey(survey_key)
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        link = survey.links[0] if with_link else None
        for answers in answer_sets:
            submit_response(defn=defn, version=version, link=link, channel=channel,
                            client_uuid=uuid.uuid4(), answers=dict(answers), now=from_japan(when))
            stored += 1
    return stored


def repeat(answers: Mapping[str, Any], count: int) -> list[Mapping[str, Any]]:
    return [answers] * count


AGES = ["18_29", "30_39", "40_49", "50_59", "60_69", "70_over"]


def digital_services_sample(successes: int, failures: int, *, not_used: int = 0,
                            comment: str | None = None) -> list[dict[str, Any]]:
    """digital-services answers with demographics cycling over age bands and gender."""
    codes = (["satisfied", "somewhat_satisfied"] * successes)[:successes]
    codes += (["somewhat_dissatisfied", "dissatisfied"] * failures)[:failures]
    codes += ["not_used"] * not_used
    sets = []
    for i, code in enumerate(codes):
        answers: dict[str, Any] = {"digital_satisfaction": code, "age_band": AGES[i % 6],
                                   "gender": "male" if (i // 6) % 2 else "female", "area": "naka"}
        if comment is not None:
            answers["comment"] = comment
        sets.append(answers)
    return sets
