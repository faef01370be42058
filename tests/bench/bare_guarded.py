"""A second yardstick for ``bench_load --guarded``: the bare limit (``bare.py``) with the
machinery of surveyapp's respondent guarantees added, and nothing else.

It serves the same form, stores each response the same way (WAL, ``synchronous=FULL``,
``BEGIN IMMEDIATE``, a UNIQUE client id) and redirects to the same thank-you page. On top of
the bare app:

* a signed session cookie (Flask's) holds the client id, as surveyapp's flow does, so that a
  second tap or a resent form stores nothing twice and no id travels in the form;
* the form carries a CSRF token tied to that session (Flask-WTF), checked on every POST;
* the answer marks the session as sent (the changed cookie keeps a sent page out of the
  browser's back/forward cache);
* every response has surveyapp's security headers and ``Cache-Control: no-store``;
* pages are compressed as surveyapp compresses them (Flask-Compress, Brotli level 5, else gzip).

What it does not have is what makes surveyapp a survey service: the link and version look-up,
languages, the accessible page, screening, the kept counts, the rate limits. The difference
between this app and ``bare.py`` is what the guarantees cost by themselves; the difference
between surveyapp and this app is the cost of everything else. ``BARE_DB`` names its SQLite file,
``BARE_SECRET_KEY`` the key that signs the session (the same in every worker).
"""

from __future__ import annotations

import os
import re
import uuid

from flask import Flask, Response, redirect, request, session
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect, generate_csrf
from werkzeug.wrappers import Response as BaseResponse

from surveyapp.web import SECURITY_HEADERS
from tests.bench import bare  # its page, its database (BARE_DB) and its way of connecting

CLIENT_FIELD = re.compile(r'<input type="hidden" name="client" value="[^"]*">')

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["BARE_SECRET_KEY"], SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                  COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_BR_LEVEL=5)
CSRFProtect(app)
Compress(app)


@app.after_request
def security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"  # as surveyapp's respondent pages
    response.vary.add("Cookie")
    return response


@app.get("/s/bare")
def form() -> str:
    """The limit's page, with the CSRF token where its client id was (the id is in the session)."""
    session["client"] = str(uuid.uuid4())
    token = f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">'
    return CLIENT_FIELD.sub(token, bare.form(), count=1)


@app.post("/s/bare")
def submit() -> BaseResponse:
    client = session.get("client")
    if not isinstance(client, str):
        return redirect("/s/bare", code=303)
    connection = bare.conn()
    try:
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute("INSERT OR IGNORE INTO response (client) VALUES (?)", (client,))
        if cursor.rowcount:
            answers = [(cursor.lastrowid, q, request.form.get(q, "")) for q in ("q1", "q2", "q3", "q4", "q5")]
            connection.executemany("INSERT INTO answer VALUES (?,?,?)", answers)
        connection.execute("COMMIT")
    finally:
        connection.close()
    session["sent"] = True
    return redirect("/s/bare/thanks", code=303)


@app.get("/s/bare/thanks")
def thanks() -> str:
    return bare.thanks()


@app.get("/s/bare/export")
def export() -> str:
    return bare.export()
