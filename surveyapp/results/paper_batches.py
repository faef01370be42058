"""Progress of paper batches: how many questionnaires are keyed once, twice, differ, are done
(counted in SQL, one GROUP BY for all batches)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ..extensions import db
from ..paper.models import PaperBatch, PaperEntry, PaperQuestionnaire

BATCH_STATUSES = ("not_started", "keyed_once", "keyed_twice", "discrepancies", "done")


@dataclass(frozen=True)
class BatchProgress:
    """Questionnaires of a batch by where they stand.

    ``keyed_once``: one entry; ``keyed_twice``: two agreeing entries not yet a response (only
    for a moment, or after an error); ``discrepancies``: two entries that differ;
    ``duplicates``: a code already used, waiting for a decision; ``done``: a response;
    ``set_aside``: not counted (the code's other response was kept); ``without_code``: done
    without an invitation code (not in the response rates)."""

    expected: int
    keyed_once: int = 0
    keyed_twice: int = 0
    discrepancies: int = 0
    duplicates: int = 0
    done: int = 0
    set_aside: int = 0
    without_code: int = 0

    @property
    def keyed(self) -> int:
        return (self.keyed_once + self.keyed_twice + self.discrepancies + self.duplicates + self.done
                + self.set_aside)

    @property
    def not_keyed(self) -> int:
        return max(0, self.expected - self.keyed)

    @property
    def extra(self) -> int:
        return max(0, self.keyed - self.expected)

    @property
    def waiting(self) -> int:
        """Questionnaires waiting for a person (a difference or a used code)."""
        return self.discrepancies + self.duplicates

    @property
    def status(self) -> str:
        """``not_started`` → ``keyed_once`` (entries missing) → ``keyed_twice`` →
        ``discrepancies`` (someone must look at the paper) → ``done``."""
        if self.keyed == 0:
            return "not_started"
        if self.waiting:
            return "discrepancies"
        if self.keyed_once or self.not_keyed:
            return "keyed_once"
        if self.keyed_twice:
            return "keyed_twice"
        return "done"


def batch_progress(batches: list[PaperBatch]) -> dict[int, BatchProgress]:
    """Progress per batch id."""
    ids = [b.id for b in batches]
    entries = (db.select(PaperEntry.questionnaire_id, func.count().label("n"))
               .group_by(PaperEntry.questionnaire_id).subquery())
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(PaperQuestionnaire.batch_id, PaperQuestionnaire.state, PaperQuestionnaire.has_code,
                  entries.c.n, func.count())
        .outerjoin(entries, entries.c.questionnaire_id == PaperQuestionnaire.id)
        .where(PaperQuestionnaire.batch_id.in_(ids))
        .group_by(PaperQuestionnaire.batch_id, PaperQuestionnaire.state, PaperQuestionnaire.has_code, entries.c.n))
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for batch_id, state, has_code, n_entries, n in rows:
        if state == "keying":
            key = "keyed_twice" if (n_entries or 0) >= 2 else "keyed_once"
        else:
            key = {"discrepancies": "discrepancies", "duplicate": "duplicates", "done": "done",
                   "set_aside": "set_aside"}[state]
        bucket = counts[batch_id]
        bucket[key] = bucket.get(key, 0) + n
        if state == "done" and not has_code:
            bucket["without_code"] = bucket.get("without_code", 0) + n
    return {b.id: BatchProgress(expected=b.expected, **counts[b.id]) for b in batches}
