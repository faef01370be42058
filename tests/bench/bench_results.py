"""Benchmark: KPI results over 1,000,000 responses, from the kept counts and from the raw GROUP BY.

    python -m tests.bench.bench_results [--responses 1000000] [--db /path/to/bench.sqlite3]
                                        [--submissions 200] [--raw-pages] [--raw-repeats 1]
                                        [--no-raw] [--survey counter]

A plain script, not collected by pytest. It builds (once; reused when the file exists) a SQLite
database with the built-in surveys and N responses to ``digital-services`` (the KPI answer, age
band, gender and area for each, a comment for 5 %) and fills the kept counts from the rows
(``flask results rebuild``; a database built before the counts existed gets them from the
migration).  With ``--survey counter`` (a database of its own) the responses are to the counter
survey instead (the KPI answer, the purpose of the visit and the age band), and the filtered
pages filter on the purpose, a single-choice question that is not demographic.  In one run it
then times (counts: best of five; the raw queries: best of
``--raw-repeats``, default one run, as each takes seconds):

* the bare SQL GROUP BY (fiscal year x option) and ``kpi_year_results`` as served (from the kept
  counts) and on the raw path;
* the dashboard's result functions (``kpi_overview`` + ``demo_status``) and a KPI page's
  (``kpi_year_results``, the breakdowns by channel and by each demographic question, the flagged
  sensitivity, the year list), read from the kept counts and on the raw path,
  and checks that both give the same results;
* the rendered dashboard and KPI page through the test client (from the counts; with
  ``--raw-pages`` also on the raw path);
* the CPU time (``time.process_time``) of ``--submissions`` submissions through
  ``submit_response``, alternately with the counts kept and with the counting switched off
  (those responses are deleted again so the counts stay exact).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.respond.counts import rebuild
from surveyapp.respond.models import Answer, Response
from surveyapp.results.filters import ResultFilter

DEFAULT_DB = Path(tempfile.gettempdir()) / "surveyapp-bench" / "bench.sqlite3"
COUNTER_DB = DEFAULT_DB.with_name("bench-counter.sqlite3")  # never the digital-services one
SURVEY = "digital-services"
AGES = ["18_29", "30_39", "40_49", "50_59", "60_69", "70_over"]
CODES = ["satisfied", "somewhat_satisfied", "somewhat_dissatisfied", "dissatisfied", "not_used"]
CHANNELS = ["web", "poster-qr", "paper", "invitation", "newsletter"]
PURPOSES = ["moving", "certificate", "my_number_card", "tax", "insurance_pension", "welfare_childcare",
            "bereavement", "consultation", "other"]
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
            if SURVEY == "counter":
                code = rng.choices(CODES[:4], weights=[25, 25, 25, 25])[0]
                answers.append((rid, "counter_satisfaction", code, None))
                answers.append((rid, "purpose", rng.choice(PURPOSES), None))
                answers.append((rid, "age_band", rng.choice(AGES), None))
            else:
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
    raw.close()
    print(f"built {responses:,} responses in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    with app.app_context():  # the rows were written around the service: count them once
        rebuild()
    print(f"kept counts rebuilt from them in {time.perf_counter() - start:.1f} s")
    raw = sqlite_connection(path)
    raw.execute("ANALYZE")
    raw.close()


def sqlite_connection(path: Path):  # type: ignore[no-untyped-def]
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def best_of(repeats: int, run: Callable[[], object]) -> float:
    return timed(repeats, run)[0]


def timed(repeats: int, run: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best CPU time of this process (SQLite runs in it) of ``repeats`` runs."""
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), min(cpu)


BARE_SQL = sa.text(
    "SELECT r.fiscal_year, a.option_code, count(*) FROM responses r "
    "JOIN answers a ON a.response_id = r.id "
    "WHERE r.survey_id = :survey AND a.question_key = :question "
    "GROUP BY r.fiscal_year, a.option_code")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help=f"the database (default {DEFAULT_DB}, "
                        f"with --survey counter {COUNTER_DB})")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--raw-pages", action="store_true")
    parser.add_argument("--raw-repeats", type=int, default=1,
                        help="best of how many runs of the raw GROUP BY queries (each takes seconds)")
    parser.add_argument("--no-raw", action="store_true", help="time the counts only (no raw queries)")
    parser.add_argument("--survey", choices=["digital-services", "counter"], default="digital-services",
                        help="the survey answered (counter: filters on its purpose question)")
    args = parser.parse_args()
    if args.survey == "counter":
        use_counter_survey()
    args.db = args.db or (COUNTER_DB if args.survey == "counter" else DEFAULT_DB)
    build_database(args.db, args.responses)
    if args.no_raw:  # only the timings from the counts (the raw ones take minutes)
        counts_against_raw(args.db, raw_pages=False, with_raw=False)
    else:
        bare_against_raw(args.db, args.raw_repeats)
        counts_against_raw(args.db, raw_pages=args.raw_pages)
    if args.submissions:
        submission_cost(args.db, args.submissions)


def bare_against_raw(path: Path, repeats: int) -> None:
    from surveyapp.results import find_declaration, kpi_year_results

    app = bench_app(path)
    with app.app_context():
        declaration = find_declaration(SURVEY, KPI)
        survey_id = db.session.scalar(sa.text("SELECT id FROM surveys WHERE key = :k"), {"k": SURVEY})
        answers = db.session.scalar(sa.text(
            "SELECT count(*) FROM answers WHERE question_key = :q"), {"q": KPI_QUESTION})
        params = {"survey": survey_id, "question": declaration.question_key}
        bare = best_of(repeats, lambda: db.session.execute(BARE_SQL, params).all())
        served = best_of(5, lambda: kpi_year_results(declaration))
        app.config["RESULTS_FROM_COUNTS"] = False
        ours = best_of(repeats, lambda: kpi_year_results(declaration))
        results = kpi_year_results(declaration)
        bare_counts = sum(c for _y, _code, c in db.session.execute(BARE_SQL, params))
    assert sum(r.responses - r.no_answer for r in results) == bare_counts
    print(f"database: SQLite, {answers:,} KPI answers ({os.path.getsize(path) / 2**20:,.0f} MiB file)")
    print(f"  bare SQL GROUP BY (fiscal year x option):  {bare * 1e3:8.1f} ms")
    print(f"  kpi_year_results as served (kept counts):  {served * 1e3:8.1f} ms   "
          f"ratio {served / bare:.3f}x (goal <= 1.5x)")
    print(f"  kpi_year_results, raw path (+ statistics): {ours * 1e3:8.1f} ms   ratio {ours / bare:.2f}x "
          "(where the counts cannot answer; it also counts no-answers per channel and the flagged)")
    for result in results:
        print(f"  FY{result.fiscal_year}: n={result.base_n:,} estimate={result.estimate:.6f} "
              f"[{result.low:.6f}, {result.high:.6f}]")



KPI = "digital_satisfaction_rate"
KPI_QUESTION = "digital_satisfaction"
FILTER = ("age_band", "70_over", "age 70+")  # the group filter of the filtered pages, and its name
DATES = (date(2026, 6, 1), date(2026, 9, 30))  # the date range of the filtered pages


def page_filters() -> dict[str, ResultFilter]:
    """The filters the KPI page results are timed under, by name."""
    question, option, name = FILTER
    first, last = DATES
    return {
        "no filter": ResultFilter(),
        "dates + channel": ResultFilter(date_from=first, date_to=last, channel="web"),
        f"only {name}": ResultFilter(group_question=question, group_option=option),
        f"dates + {name}": ResultFilter(date_from=first, date_to=last, group_question=question,
                                        group_option=option),
    }


def use_counter_survey() -> None:
    """Bench the counter survey: its filtered pages filter on the purpose of the visit."""
    global SURVEY, KPI, KPI_QUESTION, FILTER
    SURVEY, KPI, KPI_QUESTION = "counter", "counter_satisfaction_rate", "counter_satisfaction"
    FILTER = ("purpose", "moving", "those moving house")


def dashboard_results() -> object:
    from surveyapp.results.demo import demo_status
    from surveyapp.results.overview import kpi_overview

    return kpi_overview(), demo_status()


def kpi_page_results(selection: ResultFilter) -> object:
    """What the KPI page computes (the results half of ``staff.kpi_views.kpi_detail``)."""
    from surveyapp.results import BY_CHANNEL, find_declaration, kpi_breakdown, kpi_year_results
    from surveyapp.results.overview import fiscal_years

    declaration = find_declaration(SURVEY, KPI)
    years = kpi_year_results(declaration, selection=selection)
    year = years[-1].fiscal_year
    breakdowns = [kpi_breakdown(declaration, year, BY_CHANNEL, selection=selection)]
    breakdowns += [kpi_breakdown(declaration, year, group.key, selection=selection)
                   for group in declaration.demographics]
    sensitivity = kpi_year_results(declaration, selection=replace(selection, include_flagged=True))
    survey_id = db.session.scalar(sa.text("SELECT id FROM surveys WHERE key = :k"), {"k": SURVEY})
    return years, breakdowns, sensitivity, fiscal_years(survey_id)


def counts_against_raw(path: Path, *, raw_pages: bool, with_raw: bool = True) -> None:
    app = bench_app(path)
    print("results from the kept counts against the raw GROUP BY (counts: best of 5; raw: 1 run)")
    cases: list[tuple[str, Callable[[], object]]] = [("dashboard results", dashboard_results)]
    cases += [(f"KPI page results, {name}", lambda s=selection: kpi_page_results(s))
              for name, selection in page_filters().items()]
    with app.app_context():
        for name, run in cases:
            app.config["RESULTS_FROM_COUNTS"] = True
            kept, kept_cpu = timed(5, run)
            line = f"  {name:<40} counts {kept * 1e3:8.1f} ms (CPU {kept_cpu * 1e3:6.1f} ms)"
            if with_raw:
                kept_value = run()
                app.config["RESULTS_FROM_COUNTS"] = False
                start = time.perf_counter()
                raw_value = run()
                raw = time.perf_counter() - start
                assert kept_value == raw_value, f"{name}: the counts and the raw query disagree"
                line += f"   raw {raw * 1e3:9.1f} ms   {raw / kept:5.0f}x   equal"
            print(line)
        db.session.rollback()
    client = _staff_client(app)
    question, option, name = FILTER
    page, dates = f"/staff/kpis/{SURVEY}/{KPI}", f"date_from={DATES[0]}&date_to={DATES[1]}"
    pages = {"dashboard page": "/staff/", "KPI page": page,
             "KPI page, dates + channel": f"{page}?{dates}&channel=web",
             f"KPI page, only {name}": f"{page}?group={question}={option}",
             f"KPI page, dates + {name}": f"{page}?{dates}&group={question}={option}"}
    for name, url in pages.items():
        app.config["RESULTS_FROM_COUNTS"] = True
        assert client.get(url).status_code == 200, url
        kept, kept_cpu = timed(5, lambda u=url: client.get(u))
        line = f"  {name + ' (rendered)':<40} counts {kept * 1e3:8.1f} ms (CPU {kept_cpu * 1e3:6.1f} ms)"
        if raw_pages:
            app.config["RESULTS_FROM_COUNTS"] = False
            raw = best_of(1, lambda u=url: client.get(u))
            line += f"   raw {raw * 1e3:9.1f} ms"
        print(line)


def _staff_client(app):  # type: ignore[no-untyped-def]
    from surveyapp.auth.models import StaffUser
    from surveyapp.auth.services import create_staff

    email, password = "bench-viewer@city.example.jp", "bench-Password-2026!"
    with app.app_context():
        if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)) is None:
            create_staff(email, password, "admin")
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def submission_cost(path: Path, submissions: int) -> None:
    """CPU time of one submission through the service with and without keeping the counts
    (alternating one by one after a warm-up; medians, as a WAL checkpoint lands on a few)."""
    from statistics import median

    from surveyapp.demo import demo_answers
    from surveyapp.respond import services
    from surveyapp.surveys.services import get_survey, version_definition

    app = bench_app(path)
    keep = services.count_response
    spent: dict[bool, list[float]] = {True: [], False: []}
    wall: dict[bool, list[float]] = {True: [], False: []}
    uncounted: list[int] = []
    rng = random.Random(7)
    warm_up = 20
    with app.app_context():
        survey = get_survey(SURVEY)
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        try:
            for number in range(submissions + warm_up):
                counting = number % 2 == 0
                services.count_response = keep if counting else _no_counts  # type: ignore[assignment]
                answers = demo_answers(defn, rng)
                start, cpu = time.perf_counter(), time.process_time()
                receipt = services.submit_response(
                    defn=defn, version=version, link=None, channel="web",
                    client_uuid=uuid.uuid4(), answers=answers)
                assert receipt.created  # a new id each time: never a replay of a stored response
                if number >= warm_up:
                    spent[counting].append(time.process_time() - cpu)
                    wall[counting].append(time.perf_counter() - start)
                if not counting:
                    uncounted.append(receipt.response_id)
        finally:
            services.count_response = keep  # type: ignore[assignment]
        for chunk in range(0, len(uncounted), 500):
            ids = uncounted[chunk:chunk + 500]
            db.session.execute(sa.delete(Answer).where(Answer.response_id.in_(ids)))
            db.session.execute(sa.delete(Response).where(Response.id.in_(ids)))
        db.session.commit()
    print(f"one submission through submit_response ({len(spent[True])} with and {len(spent[False])} "
          "without the counts, alternating; medians)")
    for counting, label in ((False, "without counts"), (True, "with counts")):
        print(f"  {label:<16} CPU {median(spent[counting]) * 1e3:6.2f} ms   "
              f"wall {median(wall[counting]) * 1e3:6.2f} ms")
    print(f"  added CPU per submission: {(median(spent[True]) - median(spent[False])) * 1e3:+.2f} ms")


def _no_counts(response: Response, sign: int = 1, *, keys: tuple[str, ...] | None = None) -> None:
    """``count_response`` switched off (same signature): the submission without its counts."""


if __name__ == "__main__":
    main()
