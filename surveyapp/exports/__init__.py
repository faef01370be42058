"""Writers over result rows: formula-safe CSV (and later XLSX/JSON)."""
