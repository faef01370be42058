"""`flask db upgrade` on a live city database keeps every row and every reference.

A database is built at an early revision, filled with a few rows in every table, and migrated
to whatever the head is today (and down and up again). On SQLite, batch migrations copy a
table, drop the original and rename the copy: with foreign keys enforced, dropping a parent
table would fail on its references or cascade-delete its children.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp import create_app
from surveyapp.extensions import db, sqlite_settings
from tests.conftest import PG_URL, _base_config
from tests.migrations.seed import EARLY_REVISION, ROWS, insert_all, table

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'city.sqlite3'}"
        return
    name = f"surveyapp_migrations_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.dispose()


@contextmanager
def _app_on(url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(_base_config(tmp_path / "instance", url))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def city_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own empty database (the tests seed it at the early revision)."""
    with _app_on(database_url, tmp_path) as app:
        yield app


def _seed_early_database(app: Flask) -> None:
    with app.app_context():
        upgrade(revision=EARLY_REVISION)
        with db.engine.begin() as conn:
            insert_all(conn)


def _head() -> str:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"the migrations have more than one head: {heads}"
    return heads[0]


def _current_revision(conn: sa.Connection) -> str:
    return str(conn.scalar(sa.text("SELECT version_num FROM alembic_version")))


def _assert_rows_kept(conn: sa.Connection, when: str) -> None:
    """Every seeded row is still there, same id, same values in every column that still exists."""
    inspector = sa.inspect(conn)
    present = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
    for name, rows in ROWS.items():
        assert name in present, f"{when}: the table {name} is gone"
        columns = [c for c in rows[0] if c in present[name]]
        seeded = table(name, columns)
        stored = [dict(r) for r in conn.execute(sa.select(seeded).order_by(seeded.c.id)).mappings()]
        expected = [{c: r[c] for c in columns} for r in sorted(rows, key=lambda r: r["id"])]
        assert len(stored) == len(expected), f"{when}: {name} has {len(stored)} rows, had {len(expected)}"
        assert stored == expected, f"{when}: rows of {name} changed"


def _foreign_keys(conn: sa.Connection) -> set[tuple[str, tuple[str, ...], str, str | None]]:
    inspector = sa.inspect(conn)
    return {(name, tuple(fk["constrained_columns"]), fk["referred_table"],
             (fk.get("options") or {}).get("ondelete"))
            for name in inspector.get_table_names() for fk in inspector.get_foreign_keys(name)}


def _orphans(conn: sa.Connection) -> dict[str, int]:
    """Rows whose reference points at no row, for every foreign key of the current schema."""
    inspector = sa.inspect(conn)
    found = {}
    for child in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(child):
            pairs = list(zip(fk["constrained_columns"], fk["referred_columns"], strict=True))
            filled = " AND ".join(f"c.{c} IS NOT NULL" for c, _ in pairs)
            match = " AND ".join(f"p.{r} = c.{c}" for c, r in pairs)
            count = conn.scalar(sa.text(
                f"SELECT count(*) FROM {child} c WHERE {filled} AND NOT EXISTS "  # noqa: S608 - reflected names
                f"(SELECT 1 FROM {fk['referred_table']} p WHERE {match})"))
            if count:
                found[f"{child}.{','.join(fk['constrained_columns'])} -> {fk['referred_table']}"] = count
    return found


def _assert_children_point_at_parents(conn: sa.Connection) -> None:
    assert _orphans(conn) == {}
    # a few references by value: the course comment, the kiosk's link, the cascade children
    comment = conn.execute(sa.text(
        "SELECT r.client_uuid, s.key, l.code FROM answers a JOIN responses r ON r.id = a.response_id "
        "JOIN surveys s ON s.id = r.survey_id JOIN links l ON l.id = r.link_id "
        "WHERE a.text = :text"), {"text": "説明がゆっくりで分かりやすかったです。"}).one()
    assert comment.key == "digital-course" and comment.code == "C9HX3V6DEF"
    kiosk = conn.execute(sa.text("SELECT l.label FROM kiosk_devices k JOIN links l ON l.id = k.link_id")).one()
    assert kiosk.label == "市民課 タブレット"
    assert conn.scalar(sa.text("SELECT count(*) FROM population_cells c JOIN population_tables t "
                               "ON t.id = c.table_id WHERE t.fiscal_year = 2026")) == 3


def _assert_foreign_keys_enforced_again(app: Flask) -> None:
    """The app's connections enforce foreign keys again after the migration (SQLite)."""
    if db.engine.dialect.name == "sqlite":
        assert sqlite_settings(db.engine)["foreign_keys"] == 1
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_upgrade_to_head_keeps_every_row_and_reference(city_app: Flask) -> None:
    _seed_early_database(city_app)
    with city_app.app_context():
        with db.engine.connect() as conn:
            seeded_tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            early_keys = _foreign_keys(conn)
        assert seeded_tables == set(ROWS), "every table of the early revision holds seeded rows"

        upgrade()

        with db.engine.connect() as conn:
            assert _current_revision(conn) == _head()
            _assert_rows_kept(conn, "after upgrade")
            _assert_children_point_at_parents(conn)
            assert early_keys - _foreign_keys(conn) == set(), "a foreign key was lost on the way"
        _assert_foreign_keys_enforced_again(city_app)


def test_downgrade_to_the_early_revision_and_back_keeps_every_row(city_app: Flask) -> None:
    _seed_early_database(city_app)
    with city_app.app_context():
        upgrade()
        downgrade(revision=EARLY_REVISION)
        with db.engine.connect() as conn:
            assert _current_revision(conn) == EARLY_REVISION
            _assert_rows_kept(conn, "after downgrade")
            _assert_children_point_at_parents(conn)

        upgrade()

        with db.engine.connect() as conn:
            assert _current_revision(conn) == _head()
            _assert_rows_kept(conn, "after the second upgrade")
            _assert_children_point_at_parents(conn)
        _assert_foreign_keys_enforced_again(city_app)


def _migrations_with(tmp_path: Path, revision: str, source: str) -> Path:
    """A copy of the migrations with one more migration on top of today's head."""
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / f"20261201_{revision}_extra.py").write_text(
        source.format(revision=revision, head=_head()), encoding="utf-8")
    return migrations


RECREATING_MIGRATION = '''"""rebuild the parents of ON DELETE CASCADE children, as SQLite batch mode does"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table("responses", recreate=recreate) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=16), type_=sa.String(length=24))
    with op.batch_alter_table("population_tables", recreate=recreate) as batch_op:
        batch_op.alter_column("source", existing_type=sa.String(length=200), type_=sa.String(length=300))


def downgrade():
    pass
'''


def test_rebuilding_a_parent_table_keeps_its_cascade_children(city_app: Flask, tmp_path: Path) -> None:
    """Answers (ON DELETE CASCADE from responses) and population cells survive a table copy."""
    migrations = _migrations_with(tmp_path, "rebuild000001", RECREATING_MIGRATION)
    _seed_early_database(city_app)
    with city_app.app_context():
        upgrade(directory=str(migrations))
        with db.engine.connect() as conn:
            assert _current_revision(conn) == "rebuild000001"
            _assert_rows_kept(conn, "after rebuilding responses and population_tables")
            _assert_children_point_at_parents(conn)
        _assert_foreign_keys_enforced_again(city_app)


ORPHANING_MIGRATION = '''"""a faulty migration: removes a survey that links, versions and responses still point at"""
from alembic import op

revision = "{revision}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM surveys WHERE key = 'digital-course'")


def downgrade():
    pass
'''


def test_a_migration_that_orphans_rows_is_refused_and_rolled_back(
        city_app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = _head()
    migrations = _migrations_with(tmp_path, "faulty000001", ORPHANING_MIGRATION)
    _seed_early_database(city_app)
    with city_app.app_context():
        upgrade(directory=str(migrations), revision=head)
        refused = sa.exc.IntegrityError if PG_URL else SystemExit  # SQLite: the check after migrating
        capsys.readouterr()
        with pytest.raises(refused):
            upgrade(directory=str(migrations))
        if not PG_URL:  # the migration log (stderr) names the broken references
            message = capsys.readouterr().err
            assert "links.survey_id -> surveys: 2 row(s)" in message
            assert "the migration was rolled back" in message
        with db.engine.connect() as conn:
            assert _current_revision(conn) == head
            _assert_rows_kept(conn, "after the refused migration")
            _assert_children_point_at_parents(conn)
        _assert_foreign_keys_enforced_again(city_app)


def test_a_sqlite_database_with_broken_references_is_not_migrated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """References broken before the upgrade are named, and the upgrade does not start."""
    path = tmp_path / "broken.sqlite3"
    with _app_on(f"sqlite:///{path}", tmp_path) as app:
        _seed_early_database(app)
        with app.app_context():
            db.engine.dispose()
        raw = sqlite3.connect(path)  # foreign keys are off on a plain connection
        with raw:
            raw.execute("INSERT INTO answers (id, response_id, question_key, option_code) "
                        "VALUES (99, 404, 'counter_satisfaction', 'satisfied')")
        raw.close()
        with app.app_context():
            capsys.readouterr()
            with pytest.raises(SystemExit):
                upgrade()
            message = capsys.readouterr().err
            assert "answers.response_id -> responses: 1 row(s)" in message
            assert "nothing was changed" in message
            with db.engine.connect() as conn:
                assert _current_revision(conn) == EARLY_REVISION
