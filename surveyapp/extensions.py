"""Extensions, created unbound here and bound in ``create_app``.

The database extension ``db`` is made at its first use (``from .extensions import db`` in a
module that queries): importing SQLAlchemy takes longer than the whole rest of start-up, and
``flask --help`` or a command that never touches the database needs none of it. An app created
before that is bound to it then (:func:`use_database`); a served app's views use it, so it is
bound when they are registered, before the first request.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from typing import TYPE_CHECKING, Any

from flask import Flask, has_request_context, request
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from .i18n import LanguageBabel

if TYPE_CHECKING:
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy.engine import Engine

    db: SQLAlchemy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

babel = LanguageBabel()
csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()  # applied per response by web.compress_response, not to staff pages

SQLITE_BUSY_TIMEOUT_MS = 10_000

_database_lock = threading.RLock()
_apps_waiting: weakref.WeakSet[Flask] = weakref.WeakSet()


def __getattr__(name: str) -> Any:
    if name == "db":
        return database()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def database() -> SQLAlchemy:
    """The database extension, made (and bound to every app created so far) at its first use."""
    made = globals().get("db")
    if made is not None:
        return made
    with _database_lock:
        if "db" not in globals():
            from flask_sqlalchemy import SQLAlchemy
            from sqlalchemy import MetaData

            from .models import import_all_models_before_first_use

            import_all_models_before_first_use()
            configure_sqlite()
            globals()["db"] = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
            for app in list(_apps_waiting):
                globals()["db"].init_app(app)  # its SQLite is checked when it first connects
            _apps_waiting.clear()
    return globals()["db"]


def use_database(app: Flask) -> None:
    """Bind the app to the database extension now if it exists (and check the database at
    once), else when the extension is made."""
    with _database_lock:
        if "db" not in globals():
            _apps_waiting.add(app)
            return
        globals()["db"].init_app(app)
    connect_once(app)


def connect_once(app: Flask) -> None:
    """Open (and close) one connection: a misconfigured database stops the app at its start
    (SQLite's settings are checked on connecting)."""
    with app.app_context():
        database().engine.connect().close()


def configure_sqlite() -> None:
    """Every SQLite connection of the process: WAL, synchronous=FULL, busy timeout, foreign
    keys, checked on connecting, its files readable by their owner only; every transaction
    begins with ``BEGIN IMMEDIATE`` unless it only reads (once per process; other databases are
    left as they are).

    pysqlite opens transactions lazily and only before writes; we take that over so every
    transaction starts with ``BEGIN IMMEDIATE`` and concurrent writers queue on the busy
    timeout instead of failing with "database is locked" on a lock upgrade. A connection can
    ask for a read-only ``BEGIN`` with the execution option ``sqlite_begin="DEFERRED"``
    (long streaming exports use it so they never hold the write lock), and a request that only
    reads says so with :func:`reads_only` (respondent pages shown by GET): its transactions
    begin ``DEFERRED`` and never wait for, or hold, the write lock.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    if not event.contains(Pool, "connect", _on_connect):
        event.listen(Pool, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    file = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
    _check_sqlite(_pragmas(cursor), in_memory=not file)
    cursor.close()
    _private_sqlite_files(file)


def _on_begin(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
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
    """Read back the pragmas of a fresh connection."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        values = _pragmas(cursor)
        cursor.close()
        return values
    finally:
        raw.close()


def _pragmas(cursor: Any) -> dict[str, Any]:
    values = {}
    for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
        cursor.execute(f"PRAGMA {pragma}")
        row = cursor.fetchone()
        values[pragma] = row[0] if row else None
    return values


def _check_sqlite(values: dict[str, Any], *, in_memory: bool) -> None:
    from .config import ConfigError

    expected = {"journal_mode": "memory" if in_memory else "wal", "synchronous": 2,
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS, "foreign_keys": 1}
    wrong = {k: v for k, v in values.items() if str(v).lower() != str(expected[k])}
    if wrong:
        raise ConfigError(f"SQLite settings did not take effect: {wrong}")


def _private_sqlite_files(database: str) -> None:
    """A database made before the app set its umask may be readable by others: make it private."""
    if not database:  # in memory
        return
    log = logging.getLogger("surveyapp")
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = database + suffix
        try:
            mode = os.stat(path).st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
            log.warning("made %s readable by its owner only (was %o)", os.path.basename(path), mode)
