"""KPI results over the responses that came through given links (course sessions and courses).

One session is one kiosk link: its result is exactly what the KPI page computes with the
``link_id`` filter.  A course is several sessions: the same per-link counts (``kpi_and_flagged_counts``)
are added up per fiscal year and go through the same formula and statistics (``year_result``),
so a course's n is the sum of its sessions' n and nothing is counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .declarations import KpiDeclaration
from .filters import DEMO_CHANNEL, ResultFilter
from .kpis import (
    DEFAULT_LEVEL,
    DEFAULT_METHOD,
    KpiYearResult,
    kpi_and_flagged_counts,
    kpi_year_results,
    year_result,
)


def link_results(declaration: KpiDeclaration, link_ids: Sequence[int], *,
                 method: str = DEFAULT_METHOD, level: float = DEFAULT_LEVEL) -> list[KpiYearResult]:
    """Per fiscal year (oldest first) over the responses of these links; [] for no links."""
    ids = sorted(set(link_ids))
    if len(ids) == 1:
        return kpi_year_results(declaration, method=method, level=level,
                                selection=ResultFilter(link_id=ids[0]))
    options: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    demo: dict[int, int] = defaultdict(int)
    flagged: dict[int, int] = defaultdict(int)
    for link_id in ids:
        by_year, flagged_by_year = kpi_and_flagged_counts(declaration, ResultFilter(link_id=link_id))
        for year, count in flagged_by_year.items():
            flagged[year] += count
        for year, cells in by_year.items():
            for (channel, code), count in cells.items():
                options[year][code] += count
                if channel == DEMO_CHANNEL:
                    demo[year] += count
    return [year_result(declaration, year, dict(options[year]), demo_responses=demo[year],
                        method=method, level=level, flagged_excluded=flagged[year])
            for year in sorted(options)]


def responses_in(results: Sequence[KpiYearResult]) -> int:
    """All responses counted in these results (every fiscal year)."""
    return sum(result.responses for result in results)
