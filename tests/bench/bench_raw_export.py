"""Benchmark: the raw anonymised-response download of 1,000,000 responses — time and peak memory.

    python -m tests.bench.bench_raw_export [--responses 1000000] [--db PATH] [--xlsx]

A plain script, not collected by pytest. Reuses (or builds) the database of bench_results, logs in
as an analyst and streams ``/staff/surveys/digital-services/responses.csv`` (or ``.xlsx``) through
the real view, counting the bytes. Peak memory is the process's maximum resident set size
(ru_maxrss), which includes the interpreter and the app; the figure before the download is
printed too.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from surveyapp.auth.services import create_staff
from surveyapp.extensions import db
from tests.bench.bench_results import DEFAULT_DB, bench_app, build_database

EMAIL = "bench-analyst@city.example.jp"
PASSWORD = "bench password long enough"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--xlsx", action="store_true", help="time the XLSX download instead of CSV")
    args = parser.parse_args()
    build_database(args.db, args.responses)
    app = bench_app(args.db)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        from surveyapp.auth.models import StaffUser

        if db.session.scalar(db.select(StaffUser).where(StaffUser.email == EMAIL)) is None:
            create_staff(EMAIL, PASSWORD, "analyst")
    client = app.test_client()
    assert client.post("/staff/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 303
    before = peak_mib()
    fmt = "xlsx" if args.xlsx else "csv"
    start = time.perf_counter()
    response = client.get(f"/staff/surveys/digital-services/responses.{fmt}", buffered=False)
    assert response.status_code == 200
    size = 0
    lines = 0
    for chunk in response.response:
        size += len(chunk)
        if fmt == "csv":
            lines += chunk.count(b"\r\n")
    response.close()
    elapsed = time.perf_counter() - start
    print(f"raw {fmt.upper()} download: {size / 2**20:,.1f} MiB"
          + (f", {lines - 1:,} data rows" if fmt == "csv" else "")
          + f" in {elapsed:.1f} s")
    print(f"  peak RSS before the download: {before:,.0f} MiB; after: {peak_mib():,.0f} MiB (goal < 200 MB)")


if __name__ == "__main__":
    main()
