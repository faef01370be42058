"""Free-text answers for staff: filtered, searchable, grouped by question (newest first within a
question), paginated, each with the same respondent's answer to the KPI question. Phone numbers
and e-mail addresses typed into them are found here (:mod:`surveyapp.masking`) so that every
output can hide them. Never part of open data."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..masking import Found, find_contacts, mask
from ..respond.models import Answer, Response
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link, Survey
from ..timeutil import to_japan
from .filters import ALL_RESPONSES, ResultFilter, response_conditions

PER_PAGE = 50
KEYWORDS_MAX = 5


@dataclass(frozen=True)
class Comment:
    response_id: int
    submitted_at: datetime  # Japan time
    fiscal_year: int
    channel: str
    link: str | None
    question_key: str
    text: str
    kpi_answers: tuple[str | None, ...] = ()  # option codes, one per KPI question of the query
    contacts: tuple[Found, ...] = field(default=(), compare=False)

    def shown_text(self, reveal: bool) -> str:
        """The text as an output shows it: phone numbers and e-mail addresses hidden unless
        ``reveal``."""
        return self.text if reveal else mask(self.text, list(self.contacts))


@dataclass(frozen=True)
class CommentQuery:
    """Which comments: the free-text questions (in order), the KPI questions whose answers go
    beside each comment, the response filter, a fiscal year and keywords (all must occur)."""

    keys: tuple[str, ...]
    kpi_keys: tuple[str, ...] = ()
    selection: ResultFilter = ALL_RESPONSES
    fiscal_year: int | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentPage:
    items: tuple[Comment, ...]
    page: int
    pages: int
    total: int
    counts: dict[str, int] = field(default_factory=dict)  # per question key, over all pages

    @property
    def contacts(self) -> int:
        """Phone numbers and e-mail addresses in the comments of this page."""
        return sum(len(item.contacts) for item in self.items)


def text_questions(defn: SurveyDef) -> list[tuple[str, str]]:
    """(key, Japanese text) of the free-text questions of a definition."""
    return [(q.key, q.text["ja"]) for q in defn.questions if q.type in ("text", "textarea")]


def kpi_questions(defn: SurveyDef) -> list[str]:
    """The keys of the questions the survey's KPIs are computed from (each once, in order)."""
    keys: list[str] = []
    for kpi in defn.kpis:
        if kpi.question not in keys:
            keys.append(kpi.question)
    return keys


def split_keywords(raw: str) -> tuple[str, ...]:
    """Keywords separated by spaces (also ideographic ones), at most :data:`KEYWORDS_MAX`."""
    return tuple(dict.fromkeys(raw.split()))[:KEYWORDS_MAX]


def keyword_forms(keyword: str) -> tuple[str, ...]:
    """The keyword as typed, in half-width and in full-width form: ＬＩＮＥ and LINE find each other."""
    half = unicodedata.normalize("NFKC", keyword)
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in half)
    return tuple(dict.fromkeys([keyword, half, full]))


def _keyword_condition(keyword: str) -> ColumnElement[bool]:
    return or_(*(Answer.text.icontains(form, autoescape=True) for form in keyword_forms(keyword)))


def _conditions(survey: Survey, query: CommentQuery) -> list[ColumnElement[bool]]:
    conditions = response_conditions(survey.id, query.selection)
    conditions += [Answer.text.is_not(None), Answer.question_key.in_(query.keys)]
    if query.fiscal_year is not None:
        conditions.append(Response.fiscal_year == query.fiscal_year)
    conditions += [_keyword_condition(keyword) for keyword in query.keywords]
    return conditions


def _select(survey: Survey, query: CommentQuery) -> Any:
    kpi_answers = [aliased(Answer) for _key in query.kpi_keys]
    statement = (db.select(Response.id, Response.submitted_at, Response.fiscal_year, Response.channel,
                           Link.label, Answer.question_key, Answer.text,
                           *(alias.option_code for alias in kpi_answers))
                 .select_from(Answer).join(Response, Answer.response_id == Response.id)
                 .outerjoin(Link, Link.id == Response.link_id))
    for alias, key in zip(kpi_answers, query.kpi_keys, strict=True):
        statement = statement.outerjoin(alias, (alias.response_id == Response.id) & (alias.question_key == key))
    order = case({key: index for index, key in enumerate(query.keys)}, value=Answer.question_key)
    return (statement.where(*_conditions(survey, query))
            .order_by(order, Response.submitted_at.desc(), Response.id.desc(), Answer.id))


def _comment(row: Sequence[Any]) -> Comment:
    response_id, submitted_at, year, channel, link, key, text, *kpi = row
    return Comment(response_id, to_japan(submitted_at), year, channel, link, key, text, tuple(kpi),
                   tuple(find_contacts(text)))


def comments_page(survey: Survey, query: CommentQuery, *, page: int = 1,
                  per_page: int = PER_PAGE) -> CommentPage:
    """One page of comments; a page past the end gives the last page."""
    if not query.keys:
        return CommentPage((), 1, 1, 0)
    counts = dict(db.session.execute(
        db.select(Answer.question_key, func.count())
        .select_from(Answer).join(Response, Answer.response_id == Response.id)
        .where(*_conditions(survey, query)).group_by(Answer.question_key)).all())
    total = sum(counts.values())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(_select(survey, query).limit(per_page).offset((page - 1) * per_page))
    return CommentPage(tuple(_comment(tuple(r)) for r in rows), page, pages, total,
                       {key: counts[key] for key in query.keys if key in counts})


def all_comments(survey: Survey, query: CommentQuery) -> Iterator[Comment]:
    """Every matching comment (grouped by question, newest first), streamed for a download."""
    if not query.keys:
        return
    with db.engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="DEFERRED", yield_per=500)
        for row in connection.execute(_select(survey, query)):
            yield _comment(tuple(row))
        connection.rollback()
