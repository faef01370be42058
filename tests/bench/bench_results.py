"""Benchmark: KPI results over 1,000,000 answers against the bare SQL GROUP BY on the same database.

    python -m tests.bench.bench_results [--responses 1000000] [--db /path/to/bench.sqlite3]

A plain script, not collected by pytest. It builds (once; reused when the file exists) a SQLite
database with the built-in surveys and N responses to ``digital-services`` (the KPI answer, age
band, gender and area for each, a comment for 5 %), then times ``kpi_year_results`` — the SQL
counts plus every statistic (interval, reliability, change vs baseline, target verdict) — and the
minimal query that yields the same counts, best of five runs each.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from surveyapp import create_app
from surveyapp.extensions import db

DEFAULT_DB = Path(tempfile.gettempdir()) / "surveyapp-bench" / "bench.sqlite3"
SURVEY = "digital-services"
AGES = ["18_29", "30_39", "40_49", "50_59", "60_69", "70_over"]
CODES = ["satisfied", "somewhat_satisfied", "somewhat_dissatisfied", "dissatisfied", "not_used"]
CHANNELS = ["web", "poster-qr", "paper", "invitation", "newsletter"]
BATCH = 20_000


def bench_app(path: Path):  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    return create_app({"DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(path.parent / "instance"),
                       "SECRET_KEY": "bench-" + "x" * 40})


def build_database(path: Path, responses: int) -> None:
    """Create the database with `responses` responses unless it already has them."""
    from flask_migrate import upgrade

    app = bench_app(path)
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.text("SELECT count(*) FROM responses")) >= responses:
            return
        runner = app.test_cli_runner()
        result = runner.invoke(args=["surveys", "load", "--builtin", "--open"])
        assert result.exit_code == 0, result.output
        survey_id, version_id = db.session.execute(sa.text(
            "SELECT s.id, v.id FROM surveys s JOIN survey_versions v ON v.survey_id = s.id "
            "WHERE s.key = :k"), {"k": SURVEY}).one()
        db.session.commit()
    rng = random.Random(2026)
    raw = sqlite_connection(path)
    start = time.perf_counter()
    next_id = 1
    for offset in range(0, responses, BATCH):
        rows, answers = [], []
        for _ in range(min(BATCH, responses - offset)):
            rid = next_id
            next_id += 1
            year = 2025 if rng.random() < 0.4 else 2026
            submitted = f"{year}-{rng.randint(5, 12):02d}-{rng.randint(1, 28):02d} 03:00:00.000000"
            rows.append((rid, uuid.UUID(int=rng.getrandbits(128)).hex, survey_id, version_id,
                         rng.choice(CHANNELS), submitted, year, "x" * 64))
            code = rng.choices(CODES, weights=[15, 20, 25, 20, 20])[0]
            answers.append((rid, "digital_satisfaction", code, None))
            answers.append((rid, "age_band", rng.choice(AGES), None))
            answers.append((rid, "gender", rng.choice(["male", "female"]), None))
            answers.append((rid, "area", rng.choice(["naka", "sohara", "unuma"]), None))
            if rng.random() < 0.05:
                answers.append((rid, "comment", "=1+1 と書いた人もいます。窓口が混んでいました。", None))
        raw.execute("BEGIN")
        raw.executemany("INSERT INTO responses (id, client_uuid, survey_id, survey_version_id, channel, "
                        "submitted_at, fiscal_year, body_hash) VALUES (?,?,?,?,?,?,?,?)", rows)
        raw.executemany("INSERT INTO answers (response_id, question_key, option_code, text) "
                        "VALUES (?,?,?,?)",
                        [(r, k, None, c) if k == "comment" else (r, k, c, t) for r, k, c, t in answers])
        raw.execute("COMMIT")
    raw.execute("ANALYZE")
    raw.close()
    print(f"built {responses:,} responses in {time.perf_counter() - start:.1f} s")


def sqlite_connection(path: Path):  # type: ignore[no-untyped-def]
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


BARE_SQL = sa.text(
    "SELECT r.fiscal_year, a.option_code, count(*) FROM responses r "
    "JOIN answers a ON a.response_id = r.id "
    "WHERE r.survey_id = :survey AND a.question_key = :question "
    "GROUP BY r.fiscal_year, a.option_code")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    build_database(args.db, args.responses)
    from surveyapp.results import find_declaration, kpi_year_results

    app = bench_app(args.db)
    with app.app_context():
        declaration = find_declaration(SURVEY, "digital_satisfaction_rate")
        survey_id = db.session.scalar(sa.text("SELECT id FROM surveys WHERE key = :k"), {"k": SURVEY})
        answers = db.session.scalar(sa.text(
            "SELECT count(*) FROM answers WHERE question_key = 'digital_satisfaction'"))
        params = {"survey": survey_id, "question": declaration.question_key}
        bare = best_of(5, lambda: db.session.execute(BARE_SQL, params).all())
        ours = best_of(5, lambda: kpi_year_results(declaration))
        results = kpi_year_results(declaration)
        bare_counts = sum(c for _y, _code, c in db.session.execute(BARE_SQL, params))
    assert sum(r.responses - r.no_answer for r in results) == bare_counts
    print(f"database: SQLite, {answers:,} KPI answers ({os.path.getsize(args.db) / 2**20:,.0f} MiB file)")
    print(f"  bare SQL GROUP BY (fiscal year x option):  {bare * 1e3:8.1f} ms")
    print(f"  kpi_year_results (counts + statistics):    {ours * 1e3:8.1f} ms")
    print(f"  ratio: {ours / bare:.2f}x (goal <= 1.5x)")
    for result in results:
        print(f"  FY{result.fiscal_year}: n={result.base_n:,} estimate={result.estimate:.6f} "
              f"[{result.low:.6f}, {result.high:.6f}]")


if __name__ == "__main__":
    main()
