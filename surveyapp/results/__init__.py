"""The single source of every number people see: SQL counts → surveyapp.stats → result rows."""

from .breakdowns import BY_CHANNEL, Breakdown, GroupResult, kpi_breakdown
from .declarations import GroupQuestion, KpiDeclaration, OptionInfo, UnknownKpi, find_declaration, kpi_declarations
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

__all__ = [
    "ALL_RESPONSES", "BY_CHANNEL", "DEFAULT_LEVEL", "DEFAULT_METHOD", "DEMO_CHANNEL", "LEVELS",
    "PUBLIC", "Breakdown", "GroupQuestion", "GroupResult", "KpiDeclaration", "KpiYearResult",
    "OptionCount", "OptionInfo", "PopulationCell", "PopulationTable", "ResultFilter", "UnknownKpi",
    "Verdict", "find_declaration", "kpi_breakdown", "kpi_declarations", "kpi_year_results",
]
