"""Public open-data endpoints: /open-data/ (codebook), kpis.json, kpis.csv. Read-only."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue

from ..exports.cells import attachment_header, csv_stream
from ..stats import METHODS_NOTE
from ..timeutil import utcnow
from .records import FIELD_NAMES, FIELDS, open_data_records

bp = Blueprint("opendata", __name__, url_prefix="/open-data")

LICENSE = "CC BY 4.0"


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("opendata/index.html", fields=FIELDS, license=LICENSE,
                           methods_note=METHODS_NOTE)


@bp.get("/kpis.json")
def kpis_json() -> ResponseReturnValue:
    body = {
        "dataset": "kakamigahara-dx-kpi-survey-results",
        "generated_at": utcnow().isoformat(timespec="seconds") + "Z",
        "license": LICENSE,
        "notes": ("Demo responses and responses flagged as suspicious (flagged_excluded counts them) "
                  "are excluded; suppressed values are null. Numbers are unrounded."),
        "fields": [{"name": n, "type": t, "description": str(d)} for n, t, d in FIELDS],
        "records": open_data_records(),
    }
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, indent=1)
    return _public(Response(text, content_type="application/json; charset=utf-8"))


@bp.get("/kpis.csv")
def kpis_csv() -> ResponseReturnValue:
    rows = [[_csv_value(record[name]) for name in FIELD_NAMES] for record in open_data_records()]
    body = "".join(csv_stream(FIELD_NAMES, rows)).encode("utf-8")
    return _public(Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": attachment_header("kpis.csv")}))


def _csv_value(value: object) -> str | int | float | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # type: ignore[return-value]
