"""The database, its WAL and shared-memory files, the secret key and backups are private
(mode 600) from the moment they are created: the app sets umask 077 when it starts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from surveyapp import create_app
from surveyapp.extensions import db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_are_readable_by_the_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("SURVEYAPP_")]:
        monkeypatch.delenv(name)
    os.umask(0o022)  # what a shell usually starts with
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    assert os.umask(0o077) == 0o077
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["staff", "create", "first@city.example.jp", "--role", "admin",
                                 "--password-stdin"], input="a long enough pass phrase\n")
    assert result.exit_code == 0, result.output
    database = instance / "surveyapp.sqlite3"
    with app.app_context():
        with db.engine.connect():  # an open connection keeps -wal and -shm in place
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), instance / "secret_key"):
                assert path.exists(), path.name
                assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
        backup = runner.invoke(args=["backup"])
        assert backup.exit_code == 0, backup.output
        folder = instance / "backups"
        assert _mode(folder) == 0o700
        for path in folder.iterdir():
            assert _mode(path) == 0o600, path.name
        db.engine.dispose()


def test_a_database_made_before_is_made_private_at_start(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    database = instance / "old.sqlite3"
    database.touch()
    database.chmod(0o644)
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "SECRET_KEY": "k" * 40,
                      "DATABASE_URL": f"sqlite:///{database}"})
    assert _mode(database) == 0o600
    with app.app_context():
        db.engine.dispose()
