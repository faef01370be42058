"""Synthetic demo responses (channel ``demo``), stored through ``submit_response`` like real ones.

``flask demo responses --survey KEY --count N --seed S [--fiscal-year Y]``. Answers are drawn
from plausible distributions: the KPI question around its baseline, an older-leaning age profile,
a few multiple choices, and now and then a short comment. Demo responses are labelled as such on
every staff page, leave the results by default once a survey has real responses, and never
reach open data. ``flask demo delete --survey KEY`` (or the button on the admin survey page)
deletes them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func

from .audit import record
from .extensions import db
from .respond.counts import forget_channel
from .respond.models import Answer, Response
from .results.filters import DEMO_CHANNEL
from .surveys.definitions import QuestionDef, SurveyDef
from .surveys.models import Survey
from .timeutil import fiscal_year, from_japan, utcnow

AGE_WEIGHTS = {"18_29": 0.09, "30_39": 0.11, "40_49": 0.15, "50_59": 0.17, "60_69": 0.21, "70_over": 0.27}
# The languages residents answer in (Kakamigahara has many Brazilian and Vietnamese residents).
LANGUAGE_WEIGHTS = {"ja": 0.9, "ja-easy": 0.03, "pt-BR": 0.03, "en": 0.02, "vi": 0.02}
COMMENTS = (
    "オンライン申請がもっと増えるとうれしいです。",
    "窓口の方が丁寧に説明してくれました。",
    "待ち時間が長かったです。",
    "スマートフォンの操作が難しいと感じました。",
    "とても分かりやすかったです。また参加したいです。",
    "バスの本数を増やしてほしい。",
)


def demo_answers(defn: SurveyDef, rng: random.Random) -> dict[str, object]:
    """One plausible set of answers for a definition."""
    success_rate = {kpi.question: (kpi.success, kpi.baseline_value) for kpi in defn.kpis}
    answers: dict[str, object] = {}
    for question in defn.questions:
        value = _answer(question, rng, success_rate.get(question.key))
        if value is not None:
            answers[question.key] = value
    return answers


def _answer(question: QuestionDef, rng: random.Random,
            kpi: tuple[tuple[str, ...], float] | None) -> object | None:
    skip = 0.0 if question.required else 0.06
    if rng.random() < skip:
        return None
    codes = [o.code for o in question.options]
    if question.type in ("text", "textarea"):
        return rng.choice(COMMENTS) if rng.random() < 0.15 else None
    if question.type == "multiple":
        answers = [o.code for o in question.options if o.kind == "answer" and rng.random() < 0.3]
        return answers or [codes[-1]]
    if kpi is not None:
        success, baseline = kpi
        applicable = [o.code for o in question.options if o.kind == "answer"]
        not_applicable = [o.code for o in question.options if o.kind != "answer"]
        if not_applicable and rng.random() < 0.12:
            return rng.choice(not_applicable)
        rate = min(0.95, max(0.05, baseline + rng.uniform(-0.03, 0.08)))
        pool = [c for c in applicable if c in success] if rng.random() < rate else [
            c for c in applicable if c not in success]
        return rng.choice(pool or applicable)
    if question.demographic == "age_band" and set(codes) == set(AGE_WEIGHTS):
        return rng.choices(list(AGE_WEIGHTS), weights=list(AGE_WEIGHTS.values()))[0]
    if question.demographic == "gender":
        return rng.choices(codes, weights=[0.46, 0.51, 0.03][:len(codes)] + [0.0] * (len(codes) - 3))[0]
    return rng.choice(codes)


def demo_language(client_uuid: uuid.UUID) -> str:
    """The language a demo respondent answered in, drawn apart from the answers (so adding it
    changed no earlier seed's responses)."""
    rng = random.Random(client_uuid.int)
    return rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]


def demo_times(count: int, year: int | None, rng: random.Random) -> Iterator[datetime]:
    """Submission times (naive UTC) spread over the fiscal year (up to now for the current one)."""
    now = utcnow()
    year = year if year is not None else fiscal_year(now)
    start = from_japan(datetime(year, 4, 1, 9, 0))
    end = min(from_japan(datetime(year + 1, 3, 31, 18, 0)), now) if year == fiscal_year(now) else (
        from_japan(datetime(year + 1, 3, 31, 18, 0)))
    seconds = max(60, int((end - start).total_seconds()))
    for value in sorted(rng.randrange(seconds) for _ in range(count)):
        yield start + timedelta(seconds=value)


def count_demo_responses(survey: Survey) -> int:
    """How many demo responses a survey has."""
    return db.session.scalar(db.select(func.count()).select_from(Response).where(
        Response.survey_id == survey.id, Response.channel == DEMO_CHANNEL)) or 0


def delete_demo_responses(survey: Survey, *, user_id: int | None = None) -> int:
    """Delete every demo response of a survey with its answers (real responses are untouched),
    record it in the audit log; commit. Returns how many responses were deleted."""
    deleted = count_demo_responses(survey)
    ids = db.select(Response.id).where(Response.survey_id == survey.id,
                                       Response.channel == DEMO_CHANNEL).scalar_subquery()
    db.session.execute(db.delete(Answer).where(Answer.response_id.in_(ids)))
    db.session.execute(db.delete(Response).where(Response.survey_id == survey.id,
                                                 Response.channel == DEMO_CHANNEL))
    forget_channel(survey.id, DEMO_CHANNEL)
    record(user_id, "demo.delete", survey.key, responses=deleted)
    db.session.commit()
    return deleted
