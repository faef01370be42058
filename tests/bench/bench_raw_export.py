"""Benchmark: the raw anonymised-response download of 1,000,000 responses — time and peak memory.

    python -m tests.bench.bench_raw_export [--responses 1000000] [--db PATH] [--xlsx]

A plain script, not collected by pytest. Reuses (or builds) the database of bench_results, logs in
as an analyst and asks for ``/staff/surveys/digital-services/responses.csv`` (or ``.xlsx``) through
the real views: a survey that large is made in the background, so the script starts the job
with the page's button, follows its progress page until the link appears and fetches the file,
counting the bytes. The time is from the button to the file fetched; the CPU time is the
process's (the job's thread included); peak memory is the process's maximum resident set size
(ru_maxrss), which includes the interpreter and the app; the figure before the download is
printed too, and the load average with it (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import re
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
    url = f"/staff/surveys/digital-services/responses.{fmt}"
    load = os.getloadavg()
    start, cpu = time.perf_counter(), cpu_seconds()
    response = client.get(url, buffered=False)
    assert response.status_code == 200
    if response.mimetype == "text/html":  # made in the background: start it, follow its page
        response.close()
        started = client.post("/staff/surveys/digital-services/responses/jobs", data={"kind": f"responses.{fmt}"})
        assert started.status_code == 303, started.status_code
        page_url = started.headers["Location"]
        while "をダウンロード" not in (page := client.get(page_url).get_data(as_text=True)):
            assert "作成中" in page, "the job failed"
            progress = re.search(r'value="(\d+)"', page)
            print(f"  {time.perf_counter() - start:6.0f} s: {progress.group(1) if progress else '?'} %", flush=True)
            time.sleep(5)
        response = client.get(f"{page_url}/file", buffered=False)
        assert response.status_code == 200
    size = 0
    lines = 0
    for chunk in response.response:
        size += len(chunk)
        if fmt == "csv":
            lines += chunk.count(b"\r\n")
    response.close()
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"raw {fmt.upper()} download: {size / 2**20:,.1f} MiB"
          + (f", {lines - 1:,} data rows" if fmt == "csv" else "")
          + f" in {elapsed:.1f} s ({cpu:.1f} s CPU; goal <= 90 s)")
    print(f"  peak RSS before the download: {before:,.0f} MiB; after: {peak_mib():,.0f} MiB (goal < 200 MB)")
    print(f"  load average at the start {load[0]:.1f}, at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

if __name__ == "__main__":
    main()
