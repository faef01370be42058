"""Online backup of the embedded SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import current_app

from .extensions import db
from .timeutil import to_japan, utcnow


def backup_sqlite(target: str | None = None) -> Path:
    """Copy the live SQLite database page by page into ``target``; returns the path written."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError("backup works for SQLite; for PostgreSQL use pg_dump (see README)")
    if target is None:
        folder = Path(current_app.instance_path) / "backups"
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"surveyapp-{to_japan(utcnow()):%Y%m%d-%H%M%S}.sqlite3"
    else:
        path = Path(target)
    if path.exists():
        raise ValueError(f"{path} exists; choose another file")
    source = sqlite3.connect(url.database)
    try:
        destination = sqlite3.connect(path)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    path.chmod(0o600)
    return path
