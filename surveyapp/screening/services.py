"""Screening use cases: decide a submission's flags, remember its source for a day, clear a flag.

Flags are decided from the database, not from one worker's memory, so they hold however many
workers or servers answer requests: each stored public response leaves a :class:`SourceEvent`
(keyed hashes of the address and of the browser session, with the time) and the next
submission counts its neighbours there.  A flagged response is stored like any other; results
leave it out by default and say how many they left out.

Reasons (``code`` and what it was measured against, never the address or the exact duration):

* ``honeypot`` — a form field that people (and screen readers) never see was filled in;
* ``fast``     — completed in less than ``FLAG_MIN_SECONDS_PER_QUESTION`` × questions;
* ``session``  — more than ``FLAG_SESSION_MAX`` responses from one browser session in a day;
* ``burst``    — more responses from one address than ``FLAG_BURST`` allows in its window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from limits import parse_many
from sqlalchemy import and_, bindparam, case, false, func, or_

from ..audit import record
from ..extensions import db
from ..inputs import valid_id
from ..respond.counts import count_response
from ..respond.models import Response
from .models import SourceEvent

SOURCE_RETENTION = timedelta(days=1)
REASON_CODES = ("honeypot", "fast", "session", "burst")


@dataclass(frozen=True)
class Signals:
    """What the respondent pages know about a submission (hashes only)."""

    source: str
    session: str | None = None
    started_at: datetime | None = None
    honeypot: bool = False


@dataclass(frozen=True)
class Thresholds:
    min_seconds_per_question: float
    session_max: int
    burst: tuple[tuple[int, int], ...]  # (most responses allowed, window in seconds)

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Thresholds:
        windows = tuple(sorted((int(item.amount), int(item.get_expiry()))
                               for item in parse_many(str(config["FLAG_BURST"]))))
        return cls(float(config["FLAG_MIN_SECONDS_PER_QUESTION"]), int(config["FLAG_SESSION_MAX"]),
                   windows)


@cache
def _neighbour_query(windows: int, with_session: bool) -> Any:
    """The statement of :func:`_neighbour_counts` for a number of burst windows, built once
    (the hashes and times are parameters)."""
    same_source = SourceEvent.source_hash == bindparam("source")
    same_session = (SourceEvent.session_hash == bindparam("session")) if with_session else false()
    columns = [func.count(case((same_session, 1)))]
    columns += [func.count(case((and_(same_source, SourceEvent.created_at > bindparam(f"since_{index}")), 1)))
                for index in range(windows)]
    return db.select(*columns).where(SourceEvent.created_at > bindparam("day_ago"),
                                     or_(same_source, same_session))


def _neighbour_counts(signals: Signals, now: datetime, thresholds: Thresholds) -> tuple[int, list[int]]:
    """Earlier submissions of the same browser session (in a day) and of the same address (in
    each burst window), in one query."""
    values: dict[str, Any] = {"source": signals.source, "session": signals.session,
                              "day_ago": now - SOURCE_RETENTION}
    values.update({f"since_{index}": now - timedelta(seconds=seconds)
                   for index, (_allowed, seconds) in enumerate(thresholds.burst)})
    query = _neighbour_query(len(thresholds.burst), signals.session is not None)
    row = db.session.execute(query, values).one()
    return int(row[0]), [int(count) for count in row[1:]]


def screen_submission(signals: Signals, *, questions: int, now: datetime,
                      thresholds: Thresholds) -> list[dict[str, Any]]:
    """The reasons to flag a response about to be stored ([] for none); remembers its source and
    forgets sources older than a day (in the caller's transaction: its use case commits)."""
    reasons: list[dict[str, Any]] = []
    if signals.honeypot:
        reasons.append({"code": "honeypot"})
    if signals.started_at is not None and thresholds.min_seconds_per_question > 0:
        limit = thresholds.min_seconds_per_question * questions
        if (now - signals.started_at).total_seconds() < limit:
            reasons.append({"code": "fast", "limit_seconds": round(limit, 1),
                            "questions": questions})
    session_count, burst_counts = _neighbour_counts(signals, now, thresholds)
    if signals.session is not None and session_count + 1 > thresholds.session_max:
        reasons.append({"code": "session", "count": session_count + 1, "max": thresholds.session_max})
    for (allowed, seconds), earlier in zip(thresholds.burst, burst_counts, strict=True):
        if earlier + 1 > allowed:
            reasons.append({"code": "burst", "count": earlier + 1, "max": allowed,
                            "window_seconds": seconds})
            break
    forget, remember = _source_statements()
    db.session.execute(forget, {"day_ago": now - SOURCE_RETENTION})
    # A plain INSERT: nothing reads the row back, so it needs no object in the session.
    db.session.execute(remember, {"source_hash": signals.source, "session_hash": signals.session,
                                  "created_at": now})
    return reasons


@cache
def _source_statements() -> tuple[Any, Any]:
    """The DELETE of sources older than a day and the INSERT of a new one, built once."""
    return (db.delete(SourceEvent.__table__).where(SourceEvent.created_at < bindparam("day_ago")),
            db.insert(SourceEvent.__table__))


def purge_sources(*, now: datetime) -> int:
    """Delete source rows older than a day; commit; count."""
    result = db.session.execute(
        db.delete(SourceEvent).where(SourceEvent.created_at < now - SOURCE_RETENTION))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


class UnknownResponse(LookupError):
    """No stored response has this number."""


def set_flag(response_id: int, *, flagged: bool, user_id: int | None) -> Response:
    """Clear a response's flag after review, or put it back; audited; commit.

    The reasons stay with the response, so a cleared flag can still be seen and restored.
    """
    response = db.session.get(Response, response_id) if valid_id(response_id) else None
    if response is None or not response.flag_reasons:
        raise UnknownResponse(response_id)
    if response.flagged != flagged:
        count_response(response, -1)
        response.flagged = flagged
        count_response(response)
        record(user_id, "response.flag_restore" if flagged else "response.flag_clear",
               str(response.id), reasons=[r.get("code") for r in response.flag_reasons])
    db.session.commit()
    return response
