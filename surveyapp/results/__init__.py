"""The single source of every number people see: SQL counts → surveyapp.stats → result rows."""

from .kpis import KpiDeclaration, KpiYearResult, kpi_declarations, kpi_year_results

__all__ = ["KpiDeclaration", "KpiYearResult", "kpi_declarations", "kpi_year_results"]
