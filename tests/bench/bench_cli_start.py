"""Benchmark: how long ``flask --app wsgi …`` takes to start, against a bare interpreter.

    python -m tests.bench.bench_cli_start [--runs 7] [--checkout DIR]

A plain script, not collected by pytest. Each command runs ``--runs`` times in a fresh process on
a throw-away SQLite database (migrated and given the built-in surveys once first), interleaved
so that a change in the machine's load hits every command alike. For each command it prints the
median wall time and the median CPU time (user + system) of the process, and both as a multiple
of ``python -c pass`` measured in the same run; "libraries" is the floor no command can go under: importing Flask and
the extensions the app sets up when it starts; "+ SQLAlchemy" adds what a command that queries
imports when it first uses the database (Flask-SQLAlchemy with SQLAlchemy). Flask-Migrate
(Alembic) is not among them: only ``flask db`` imports it.

``--checkout DIR`` runs the same commands in another checkout of the project (e.g. an older
commit exported with ``git archive``) with this interpreter, for a before/after in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = "import flask, flask_wtf, flask_babel, flask_login, flask_compress"
FLOORS = {"libraries": LIBRARIES, "+ SQLAlchemy": LIBRARIES + ", flask_sqlalchemy"}
GOAL_SECONDS = 0.7

# (label, arguments after ``flask --app wsgi``); None marks the plain-interpreter rows.
COMMANDS: list[tuple[str, list[str] | None]] = [
    ("python -c pass", None),
    ("libraries", None),
    ("+ SQLAlchemy", None),
    ("--help", ["--help"]),
    ("surveys --help", ["surveys", "--help"]),
    ("surveys list", ["surveys", "list"]),
    ("staff list", ["staff", "list"]),
    ("db current", ["db", "current"]),
    ("demo --help", ["demo", "--help"]),
    ("i18n --help", ["i18n", "--help"]),
    ("backup --help", ["backup", "--help"]),
    ("purge-flows", ["purge-flows"]),
    ("db upgrade", ["db", "upgrade"]),
    ("results verify", ["results", "verify"]),
    ("invitations purge", ["invitations", "purge"]),
    ("surveys schema", ["surveys", "schema"]),
    ("i18n check", ["i18n", "check"]),
    ("routes", ["routes"]),
]


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process (CPU from the kernel's accounting of the child)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime


def argv_for(label: str, args: list[str] | None) -> list[str]:
    if args is not None:
        return [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return [sys.executable, "-c", FLOORS.get(label, "pass")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="the project checkout to run the commands in (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SURVEYAPP_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
                   SURVEYAPP_SECRET_KEY="bench-" + "x" * 40)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("FLASK_APP", None)
        run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], args.checkout, env)
        # The built-in surveys, as after `make run`: the commands that read surveys have some.
        run([sys.executable, "-m", "flask", "--app", "wsgi", "surveys", "load", "--builtin", "--open"],
            args.checkout, env)
        walls: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
        cpus: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
        for _ in range(args.runs):
            for label, command in COMMANDS:
                wall, cpu = run(argv_for(label, command), args.checkout, env)
                walls[label].append(wall)
                cpus[label].append(cpu)
    load = os.getloadavg()
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"start-up of flask commands in {args.checkout}, median of {args.runs} runs; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'command':<18} {'wall s':>7} {'× pass':>7} {'CPU s':>7} {'× pass':>7}")
    for label, _ in COMMANDS:
        wall = statistics.median(walls[label])
        cpu = statistics.median(cpus[label])
        print(f"{label:<18} {wall:7.3f} {wall / base_wall:7.1f} {cpu:7.3f} {cpu / base_cpu:7.1f}")
    worst = max(statistics.median(walls[label]) for label, command in COMMANDS if command)
    print(f"slowest command: {worst:.3f} s wall (goal ≤ {GOAL_SECONDS} s on an idle machine)")


if __name__ == "__main__":
    main()
