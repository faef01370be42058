"""Extensions, created unbound here and bound in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_compress import Compress
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from .i18n import LanguageBabel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
babel = LanguageBabel()
csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()  # applied per response by web.compress_response, not to staff pages

SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_sqlite(engine: Engine) -> None:
    """WAL, synchronous=FULL, busy timeout, foreign keys, and BEGIN IMMEDIATE transactions.

    pysqlite opens transactions lazily and only before writes; we take that over so every
    transaction starts with ``BEGIN IMMEDIATE`` and concurrent writers queue on the busy
    timeout instead of failing with "database is locked" on a lock upgrade. A connection can
    ask for a read-only ``BEGIN`` with the execution option ``sqlite_begin="DEFERRED"``
    (long streaming exports use it so they never hold the write lock), and a request that only
    reads says so with :func:`reads_only` (respondent pages shown by GET): its transactions
    begin ``DEFERRED`` and never wait for, or hold, the write lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode is None and has_request_context() and request.environ.get(_READS_ONLY):
            mode = "DEFERRED"
        # Straight to the driver: a statement through the engine costs more than the BEGIN itself.
        connection.connection.dbapi_connection.execute(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


_READS_ONLY = "surveyapp.reads_only"


def reads_only() -> None:
    """This request only reads the database (on SQLite: its transactions begin ``DEFERRED``).

    Only for requests that never write: a write in such a transaction would have to upgrade
    its lock, which SQLite refuses at once when another writer committed in between.
    """
    request.environ[_READS_ONLY] = True


def sqlite_settings(engine: Engine) -> dict[str, Any]:
    """Read back the pragmas of a fresh connection (used by the start-up check)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        values = {}
        for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
            cursor.execute(f"PRAGMA {pragma}")
            row = cursor.fetchone()
            values[pragma] = row[0] if row else None
        cursor.close()
        return values
    finally:
        raw.close()
