"""How many demo and real responses each survey has: what the pages say about demo data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ..extensions import db
from ..respond.models import Response
from ..surveys.models import Survey
from . import counted
from .filters import DEMO_CHANNEL


@dataclass(frozen=True)
class DemoStatus:
    """Demo and real responses of one survey (all fiscal years)."""

    survey_key: str
    demo: int
    real: int

    @property
    def excluded_by_default(self) -> bool:
        """Real responses exist, so the default view leaves the demo responses out."""
        return self.demo > 0 and self.real > 0

    @property
    def shown_by_default(self) -> bool:
        """Only demo responses so far: the default view shows them (labelled)."""
        return self.demo > 0 and self.real == 0


def demo_status() -> dict[str, DemoStatus]:
    """Per survey key, in one GROUP BY; surveys without responses are absent."""
    counts = counted.demo_status_counts() if counted.enabled() else None
    if counts is None:
        is_demo = Response.channel == DEMO_CHANNEL
        rows = db.session.execute(
            db.select(Survey.key, is_demo, func.count()).join(Survey, Survey.id == Response.survey_id)
            .group_by(Survey.key, is_demo))
        counts = {}
        for key, demo, count in rows:
            counts.setdefault(key, {})[bool(demo)] = count
    return {key: DemoStatus(key, c.get(True, 0), c.get(False, 0)) for key, c in counts.items()}
