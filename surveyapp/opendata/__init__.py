"""Public, read-only open data: aggregated KPI results of the surveys marked public."""
