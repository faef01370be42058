"""The single source of every number people see: SQL counts → surveyapp.stats → result rows.

The names below are imported from their modules on first use (PEP 562), so that importing one
module of the package (``results.filters`` from a model module, say) does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .breakdowns import BY_CHANNEL, Breakdown, GroupResult, kpi_breakdown
    from .declarations import (
        GroupQuestion,
        KpiDeclaration,
        OptionInfo,
        UnknownKpi,
        find_declaration,
        kpi_declarations,
    )
    from .filters import ALL_RESPONSES, DEMO_CHANNEL, PUBLIC, ResultFilter
    from .kpis import (
        DEFAULT_LEVEL,
        DEFAULT_METHOD,
        LEVELS,
        KpiYearResult,
        OptionCount,
        Verdict,
        kpi_year_results,
    )
    from .population import PopulationCell, PopulationTable

_MODULE_OF = {
    **dict.fromkeys(("BY_CHANNEL", "Breakdown", "GroupResult", "kpi_breakdown"), "breakdowns"),
    **dict.fromkeys(("GroupQuestion", "KpiDeclaration", "OptionInfo", "UnknownKpi", "find_declaration",
                     "kpi_declarations"), "declarations"),
    **dict.fromkeys(("ALL_RESPONSES", "DEMO_CHANNEL", "PUBLIC", "ResultFilter"), "filters"),
    **dict.fromkeys(("DEFAULT_LEVEL", "DEFAULT_METHOD", "LEVELS", "KpiYearResult", "OptionCount", "Verdict",
                     "kpi_year_results"), "kpis"),
    **dict.fromkeys(("PopulationCell", "PopulationTable"), "population"),
}

__all__ = [
    "ALL_RESPONSES", "BY_CHANNEL", "DEFAULT_LEVEL", "DEFAULT_METHOD", "DEMO_CHANNEL", "LEVELS",
    "PUBLIC", "Breakdown", "GroupQuestion", "GroupResult", "KpiDeclaration", "KpiYearResult",
    "OptionCount", "OptionInfo", "PopulationCell", "PopulationTable", "ResultFilter", "UnknownKpi",
    "Verdict", "find_declaration", "kpi_breakdown", "kpi_declarations", "kpi_year_results",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
