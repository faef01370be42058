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
from .startup import importing

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
    with _database_lock, importing():
        if "db" not in globals():
            from flask_sqlalchemy import SQLAlchemy
            from sqlalchemy import MetaData

            from .models import import_all_models_before_first_use

            import_all_models_before_first_use()
            configure_sqlite()
            explain_missing_tables()
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
    begins with ``BEGIN IMMEDIATE`` unless its request reads first (once per process; other
    databases are left as they are).

    pysqlite opens transactions lazily and only before writes; we take that over so every
    transaction starts with ``BEGIN IMMEDIATE`` and concurrent writers queue on the busy
    timeout instead of failing with "database is locked" on a lock upgrade. A connection can
    ask for a read-only ``BEGIN`` with the execution option ``sqlite_begin="DEFERRED"``
    (long streaming exports use it so they never hold the write lock).

    A request that says it reads first (:func:`reads_first`: the respondent pages) begins
    ``DEFERRED`` and takes the write lock only when it is about to write: before its first
    statement that is not a SELECT, or where a use case asks for it (:func:`take_write_lock`).
    Its reads before then never wait for the lock, and the lock is held only while storing,
    not while the request is being checked and its page built. SQLite cannot be trusted to
    upgrade a read transaction to a write (it refuses at once when another writer committed
    in between), so the read transaction is ended and ``BEGIN IMMEDIATE`` queues for the lock
    like every other writer. What was read before is then from an earlier moment: a use case
    whose decision must see the latest data reads it after :func:`take_write_lock`.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    if not event.contains(Pool, "connect", _on_connect):
        event.listen(Pool, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        event.listen(Engine, "before_cursor_execute", _before_write)


MISSING_TABLES_HINT = ("the database has not been set up for this version of surveyapp: "
                       "run `flask --app wsgi db upgrade` (or `make db`), then try again")


def explain_missing_tables() -> None:
    """A command run on a database that was never migrated, or is older than the code, ends with
    one line saying what to do instead of a traceback (once per process)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "handle_error", _missing_table_in_a_command):
        event.listen(Engine, "handle_error", _missing_table_in_a_command)


def _missing_table_in_a_command(context: Any) -> None:
    import click

    error = context.original_exception
    missing = (isinstance(error, sqlite3.OperationalError) and str(error).startswith("no such table")
               or getattr(error, "sqlstate", None) == "42P01")  # PostgreSQL: undefined table
    if missing and click.get_current_context(silent=True) is not None:
        raise click.ClickException(f"{MISSING_TABLES_HINT} ({error})")


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


_READS_FIRST = "surveyapp.reads_first"  # in a request's environ
_UNTIL_WRITE = "surveyapp.deferred_until_write"  # in a connection's info: its transaction only read so far


def _on_begin(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    mode = connection.get_execution_options().get("sqlite_begin")
    reads_first_here = mode is None and has_request_context() and bool(request.environ.get(_READS_FIRST))
    connection.info[_UNTIL_WRITE] = reads_first_here
    # Straight to the driver: a statement through the engine costs more than the BEGIN itself.
    connection.connection.dbapi_connection.execute(
        "BEGIN DEFERRED" if reads_first_here or mode == "DEFERRED" else "BEGIN IMMEDIATE")


def _before_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if connection.info.get(_UNTIL_WRITE) and statement.lstrip()[:6].upper() != "SELECT":
        _lock_for_writing(connection)


def _lock_for_writing(connection: Any) -> None:
    """End a transaction that only read and begin one that holds the write lock."""
    connection.info[_UNTIL_WRITE] = False
    driver = connection.connection.dbapi_connection
    driver.execute("COMMIT")  # nothing was written: it only ends the read
    driver.execute("BEGIN IMMEDIATE")


def reads_first() -> None:
    """This request reads before it writes, if it writes at all (on SQLite: its transactions
    begin ``DEFERRED`` and take the write lock before their first write; see
    :func:`configure_sqlite`)."""
    request.environ[_READS_FIRST] = True


def take_write_lock() -> None:
    """From here on this transaction holds SQLite's write lock (waiting for it like any writer),
    so that what it reads now sees the latest committed data and nothing can be stored
    between those reads and its writes. Nothing to do in a transaction that holds it already
    or on another database."""
    connection = database().session.connection()
    if connection.info.get(_UNTIL_WRITE):
        _lock_for_writing(connection)


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
