"""Free-text answers for staff: filtered, newest first, paginated. Never part of open data."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func

from ..extensions import db
from ..respond.models import Answer, Response
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link, Survey
from ..timeutil import to_japan
from .filters import ALL_RESPONSES, ResultFilter, response_conditions

PER_PAGE = 50


@dataclass(frozen=True)
class Comment:
    response_id: int
    submitted_at: datetime  # Japan time
    fiscal_year: int
    channel: str
    link: str | None
    question_key: str
    text: str


@dataclass(frozen=True)
class CommentPage:
    items: tuple[Comment, ...]
    page: int
    pages: int
    total: int


def text_questions(defn: SurveyDef) -> list[tuple[str, str]]:
    """(key, Japanese text) of the free-text questions of a definition."""
    return [(q.key, q.text["ja"]) for q in defn.questions if q.type in ("text", "textarea")]


def _conditions(survey: Survey, keys: list[str], selection: ResultFilter,
                fiscal_year: int | None) -> list[ColumnElement[bool]]:
    conditions = response_conditions(survey.id, selection)
    conditions += [Answer.text.is_not(None), Answer.question_key.in_(keys)]
    if fiscal_year is not None:
        conditions.append(Response.fiscal_year == fiscal_year)
    return conditions


def _query(conditions: list[ColumnElement[bool]]) -> Any:
    return (db.select(Response.id, Response.submitted_at, Response.fiscal_year, Response.channel,
                      Link.label, Answer.question_key, Answer.text)
            .select_from(Answer).join(Response, Answer.response_id == Response.id)
            .outerjoin(Link, Link.id == Response.link_id)
            .where(*conditions)
            .order_by(Response.submitted_at.desc(), Response.id.desc(), Answer.id))


def _comment(row: tuple[int, datetime, int, str, str | None, str, str]) -> Comment:
    response_id, submitted_at, year, channel, link, key, text = row
    return Comment(response_id, to_japan(submitted_at), year, channel, link, key, text)


def comments_page(survey: Survey, keys: list[str], *, selection: ResultFilter = ALL_RESPONSES,
                  fiscal_year: int | None = None, page: int = 1, per_page: int = PER_PAGE) -> CommentPage:
    """One page of comments (newest first); a page past the end gives the last page."""
    if not keys:
        return CommentPage((), 1, 1, 0)
    conditions = _conditions(survey, keys, selection, fiscal_year)
    total = db.session.scalar(
        db.select(func.count()).select_from(Answer).join(Response, Answer.response_id == Response.id)
        .where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(_query(conditions).limit(per_page).offset((page - 1) * per_page))
    return CommentPage(tuple(_comment(tuple(r)) for r in rows), page, pages, total)


COMMENT_HEADER = ["response_id", "submitted_at_jst", "fiscal_year", "channel", "link", "question", "text"]


def comment_rows(survey: Survey, keys: list[str], *, selection: ResultFilter = ALL_RESPONSES,
                 fiscal_year: int | None = None) -> Iterator[list[str | int | None]]:
    """Every matching comment as a download row (newest first), streamed."""
    if not keys:
        return
    conditions = _conditions(survey, keys, selection, fiscal_year)
    with db.engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="DEFERRED", yield_per=500)
        for row in connection.execute(_query(conditions)):
            comment = _comment(tuple(row))
            yield [comment.response_id, comment.submitted_at.strftime("%Y-%m-%d %H:%M"),
                   comment.fiscal_year, comment.channel, comment.link, comment.question_key,
                   comment.text]
        connection.rollback()
