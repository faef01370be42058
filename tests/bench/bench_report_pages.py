"""Print the A4 report to PDF with Debian's Chromium (headless) and count its pages.

    python -m tests.bench.bench_report_pages [--out report.pdf] [--kpis 4]

A plain script, not collected by pytest. It serves the app on 127.0.0.1 with a temporary SQLite
database, stores demo responses for the first N KPIs over two fiscal years, logs in and prints
``/staff/report`` restricted to those KPIs through the print stylesheet. With poppler's
``pdftotext`` installed it also prints how far down each page the text reaches, so a
near-empty last page shows.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from surveyapp import create_app
from surveyapp.auth.services import create_staff
from surveyapp.results import kpi_declarations

CHROMIUM = "/usr/bin/chromium"
EMAIL = "report@city.example.jp"
PASSWORD = "report password long enough"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "surveyapp-report.pdf")
    parser.add_argument("--kpis", type=int, default=4)
    args = parser.parse_args()
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="surveyapp-report-"))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'report.sqlite3'}",
                      "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "r" * 48})
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["surveys", "load", "--builtin", "--open"]).exit_code == 0
    with app.app_context():
        chosen = kpi_declarations()[: args.kpis]
        create_staff(EMAIL, PASSWORD, "analyst")
    for index, kpi in enumerate(chosen):
        for year, count in ((2025, 180), (2026, 240)):
            result = runner.invoke(args=["demo", "responses", "--survey", kpi.survey_key, "--count",
                                         str(count), "--seed", str(index * 10 + year), "--fiscal-year",
                                         str(year)])
            assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    query = "&".join(f"kpi={k.survey_key}/{k.key}" for k in chosen)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{base}/staff/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto(f"{base}/staff/report?{query}")
        page.emulate_media(media="print")
        page.pdf(path=str(args.out), format="A4", prefer_css_page_size=True, print_background=True)
        browser.close()
    server.shutdown()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", args.out.read_bytes()))
    print(f"report with {len(chosen)} KPIs: {pages} A4 page(s) -> {args.out}")
    fills = page_fill(args.out)
    if fills:
        print("text reaches down to: " + ", ".join(f"page {i} {fill:.0%}" for i, fill in enumerate(fills, 1)))


def page_fill(pdf: Path) -> list[float]:
    """Per page, the lowest text line as a share of the page height ([] without pdftotext)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return []
    html = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    fills = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', html, re.S):
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page.group(2))]
        fills.append(max(bottoms, default=0.0) / float(page.group(1)))
    return fills


if __name__ == "__main__":
    main()
