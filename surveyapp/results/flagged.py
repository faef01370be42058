"""Responses flagged by the screening, for review: newest first, paginated, with their reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func

from ..extensions import db
from ..respond.models import Response
from ..surveys.models import Link, Survey
from ..timeutil import to_japan

PER_PAGE = 50
STATES = ("flagged", "cleared")


@dataclass(frozen=True)
class FlaggedResponse:
    response_id: int
    survey_key: str
    submitted_at: datetime  # Japan time, to the stored precision
    fiscal_year: int
    channel: str
    link: str | None
    reasons: tuple[dict[str, Any], ...]
    flagged: bool


@dataclass(frozen=True)
class FlaggedPage:
    items: tuple[FlaggedResponse, ...]
    page: int
    pages: int
    total: int
    by_state: dict[str, int]  # responses still flagged / cleared after review (this filter)


def flagged_page(*, state: str = "flagged", survey_key: str | None = None, page: int = 1,
                 per_page: int = PER_PAGE) -> FlaggedPage:
    """One page of flagged (or cleared) responses; a page past the end gives the last page."""
    conditions: list[Any] = [Response.flag_reasons.is_not(None)]
    if survey_key is not None:
        conditions.append(Survey.key == survey_key)
    counts = dict(db.session.execute(
        db.select(Response.flagged, func.count()).join(Survey, Survey.id == Response.survey_id)
        .where(*conditions).group_by(Response.flagged)).all())
    by_state = {"flagged": counts.get(True, 0), "cleared": counts.get(False, 0)}
    total = by_state[state]
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        db.select(Response.id, Survey.key, Response.submitted_at, Response.fiscal_year,
                  Response.channel, Link.label, Response.flag_reasons, Response.flagged)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Link, Link.id == Response.link_id)
        .where(*conditions, Response.flagged.is_(state == "flagged"))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(per_page).offset((page - 1) * per_page))
    items = tuple(
        FlaggedResponse(response_id, key, to_japan(at), year, channel, link,
                        tuple(reasons or ()), bool(flagged))
        for response_id, key, at, year, channel, link, reasons, flagged in rows)
    return FlaggedPage(items, page, pages, total, by_state)
