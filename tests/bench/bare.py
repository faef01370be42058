# ruff: noqa: E401, E501, E702, I001
# The reference limit of tests/bench/bench_load.py, kept exactly as the performance issue gave it:
# the throughput surveyapp is compared with. Do not optimise or "fix" it; it is the yardstick.
# Served under the same gunicorn settings as surveyapp (BARE_DB names its SQLite file).
"""The performance limit for the load check: a bare Flask app that serves the same five-question
form (4 radio groups of 5 options + a textarea, plus a hidden token) and stores each submission in
SQLite the way surveyapp promises to (WAL, synchronous=FULL, BEGIN IMMEDIATE, UNIQUE client id),
then redirects to a thank-you page (POST-redirect-GET). No CSRF, no sessions, no templates engine."""
import os, sqlite3, uuid
from flask import Flask, request, redirect

DB = os.environ.get("BARE_DB", "/tmp/bare.sqlite3")
app = Flask(__name__)
OPTS = ["満足", "やや満足", "どちらともいえない", "やや不満", "不満"]


def conn():
    c = sqlite3.connect(DB, timeout=10, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
    return c


with conn() as c:
    c.execute("CREATE TABLE IF NOT EXISTS response (id INTEGER PRIMARY KEY, client TEXT UNIQUE, at TEXT DEFAULT CURRENT_TIMESTAMP)")
    c.execute("CREATE TABLE IF NOT EXISTS answer (response_id INTEGER, q TEXT, v TEXT)")


@app.get("/s/bare")
def form():
    rows = []
    for q in ("q1", "q2", "q3", "q4"):
        rows.append(f"<fieldset><legend>{q}</legend>" + "".join(
            f'<input type="radio" id="{q}{i}" name="{q}" value="{i}"><label for="{q}{i}">{o}</label>'
            for i, o in enumerate(OPTS)) + "</fieldset>")
    return ('<!doctype html><html lang="ja"><title>満足度</title><form method="post">'
            f'<input type="hidden" name="client" value="{uuid.uuid4()}">' + "".join(rows) +
            '<textarea name="q5"></textarea><button type="submit" name="go" value="1">送信</button></form></html>')


@app.post("/s/bare")
def submit():
    f = request.form
    c = conn()
    try:
        c.execute("BEGIN IMMEDIATE")
        cur = c.execute("INSERT OR IGNORE INTO response (client) VALUES (?)", (f["client"],))
        if cur.rowcount:
            rid = cur.lastrowid
            c.executemany("INSERT INTO answer VALUES (?,?,?)", [(rid, q, f.get(q, "")) for q in ("q1", "q2", "q3", "q4", "q5")])
        c.execute("COMMIT")
    finally:
        c.close()
    return redirect("/s/bare/thanks", code=303)


@app.get("/s/bare/thanks")
def thanks():
    return '<!doctype html><html lang="ja"><title>ありがとうございました</title><p>送信しました。</p></html>'


@app.get("/s/bare/export")
def export():
    c = conn()
    return "\n".join(v for (v,) in c.execute("SELECT v FROM answer WHERE q='q5'"))
