"""Downloads (every one audit-logged, all built from result rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import (
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import can, permission_required
from ..exports import jobs
from ..exports.cells import Cell, Cp932Encoder, attachment_header, csv_stream, encoded_csv
from ..exports.columns import csv_header
from ..exports.kpi_table import (
    BREAKDOWN_HEADER,
    KPI_HEADER,
    breakdown_rows,
    breakdown_sheets,
    kpi_rows,
    kpi_sheets,
)
from ..exports.raw import CODEBOOK_HEADER, RawExport, raw_export, raw_sheets
from ..exports.xlsx import XLSX_MIMETYPE, Sheet, stream_file, xlsx_file
from ..results import BY_CHANNEL, kpi_breakdown, kpi_year_results
from ..results.kpis import KpiYearResult
from ..results.overview import WeightedIndex, flat_results, kpi_overview, weighted_index
from ..results.raw import raw_columns, raw_rows
from ..surveys.models import Survey
from ..surveys.services import version_definition
from ..timeutil import to_japan, utcnow
from .kpi_views import _channel_names, _declaration_or_404
from .params import ResultOptions, parse_options
from .services import log_download
from .views import _survey_or_404, bp

ENCODINGS = ("utf-8", "cp932")


def _today() -> str:
    return f"{to_japan(utcnow()):%Y%m%d}"


def _options_or_400(groups: dict[str, set[str]] | None = None,
                    links: set[int] | None = None) -> ResultOptions:
    options = parse_options(request.args, groups=groups, links=links)
    if options.errors:
        abort(400, description="; ".join(options.errors.values()))
    return options


def _encoding_or_400(values: Mapping[str, str] | None = None) -> str:
    encoding = (request.args if values is None else values).get("encoding", "utf-8").strip().lower().replace("_", "-")
    if encoding in ("shift-jis", "sjis", "windows-31j"):
        encoding = "cp932"
    if encoding not in ENCODINGS:
        abort(400)
    return encoding


def _reveal_requested(values: Mapping[str, str] | None = None) -> bool:
    """``reveal=1``: show the phone numbers and e-mail addresses typed into free text (the
    caller records it in the audit log); only with the ``comments.reveal`` permission."""
    value = (request.args if values is None else values).get("reveal", "").strip()
    if not value:
        return False
    if value != "1":
        abort(400)
    if not can("comments.reveal"):
        abort(403)
    return True


def _csv_response(header: Sequence[str], rows: Iterable[Sequence[Cell]], filename: str,
                  encoding: str) -> Response:
    """A complete (small) CSV; for CP932 the replacements are also in response headers."""
    headers = {"Content-Disposition": attachment_header(filename), "Cache-Control": "no-store"}
    if encoding == "cp932":
        encoder = Cp932Encoder()
        body = b"".join(encoder.encode(chunk) for chunk in csv_stream(header, rows, bom=False))
        if encoder.count:
            body += encoder.encode("".join(csv_stream(encoder.note_row(), [], bom=False)))
        headers["X-Replaced-Characters"] = str(encoder.count)
        if encoder.count:
            headers["X-Replaced-Code-Points"] = encoder.summary().replace("×", "x")
        return Response(body, mimetype="text/csv", headers=headers,
                        content_type="text/csv; charset=Shift_JIS")
    body = "".join(csv_stream(header, rows)).encode("utf-8")
    return Response(body, headers=headers, content_type="text/csv; charset=utf-8")


def _streamed_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], filename: str,
                  encoding: str) -> Response:
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    return Response(stream_with_context(encoded_csv(header, rows, encoding)),
                    content_type=f"text/csv; charset={charset}",
                    headers={"Content-Disposition": attachment_header(filename),
                             "Cache-Control": "no-store"})


def _xlsx_response(sheets: list[Sheet], filename: str) -> Response:
    return Response(stream_with_context(stream_file(xlsx_file(sheets))), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": attachment_header(filename),
                             "Cache-Control": "no-store"})


def _kpi_results(options: ResultOptions) -> tuple[list[KpiYearResult], WeightedIndex]:
    series = kpi_overview(method=options.method, level=options.level, selection=options.selection)
    return flat_results(series), weighted_index(series, level=options.level, selection=options.selection)


@bp.get("/downloads/kpis.csv")
@permission_required("results.download")
def kpis_csv() -> ResponseReturnValue:
    options = _options_or_400()
    encoding = _encoding_or_400()
    results, weighted = _kpi_results(options)
    rows = kpi_rows(results, weighted)
    log_download(current_user.id, "download.kpis_csv", "all", rows=len(rows), encoding=encoding,
                 method=options.method, level=options.level, filter=options.selection.as_dict())
    return _csv_response(KPI_HEADER, rows, _("KPI集計_%(date)s.%(ext)s", date=_today(), ext="csv"), encoding)


@bp.get("/downloads/kpis.xlsx")
@permission_required("results.download")
def kpis_xlsx() -> ResponseReturnValue:
    options = _options_or_400()
    results, weighted = _kpi_results(options)
    sheets = kpi_sheets(results, weighted)
    log_download(current_user.id, "download.kpis_xlsx", "all", rows=len(results),
                 method=options.method, level=options.level, filter=options.selection.as_dict())
    return _xlsx_response(sheets, _("KPI集計_%(date)s.%(ext)s", date=_today(), ext="xlsx"))


def _breakdown_filename(kpi: str, extension: str) -> str:
    return _("KPI内訳_%(kpi)s_%(date)s.%(ext)s", kpi=kpi, date=_today(), ext=extension)


def _breakdowns(key: str, kpi: str) -> Any:
    declaration = _declaration_or_404(key, kpi)
    options = _options_or_400({g.key: {o.code for o in g.options} for g in declaration.groups},
                              {link.id for link in _survey_or_404(key).links})
    years = kpi_year_results(declaration, method=options.method, level=options.level,
                             selection=options.selection, fiscal_year=options.fiscal_year)
    tables = []
    for result in years:
        tables.append(kpi_breakdown(declaration, result.fiscal_year, BY_CHANNEL, method=options.method,
                                    level=options.level, selection=options.selection,
                                    channel_labels=_channel_names()))
        for group in declaration.demographics:
            tables.append(kpi_breakdown(declaration, result.fiscal_year, group.key, method=options.method,
                                        level=options.level, selection=options.selection))
    return declaration, options, years, tables


@bp.get("/kpis/<key>/<kpi>/breakdowns.csv")
@permission_required("results.download")
def breakdowns_csv(key: str, kpi: str) -> ResponseReturnValue:
    declaration, options, _years, tables = _breakdowns(key, kpi)
    encoding = _encoding_or_400()
    rows = breakdown_rows(tables)
    log_download(current_user.id, "download.breakdowns_csv", f"{key}/{kpi}", rows=len(rows),
                 encoding=encoding, filter=options.selection.as_dict())
    return _csv_response(BREAKDOWN_HEADER, rows, _breakdown_filename(declaration.key, "csv"), encoding)


@bp.get("/kpis/<key>/<kpi>/breakdowns.xlsx")
@permission_required("results.download")
def breakdowns_xlsx(key: str, kpi: str) -> ResponseReturnValue:
    declaration, options, years, tables = _breakdowns(key, kpi)
    sheets = breakdown_sheets(years, tables)
    log_download(current_user.id, "download.breakdowns_xlsx", f"{key}/{kpi}",
                 filter=options.selection.as_dict())
    return _xlsx_response(sheets, _breakdown_filename(declaration.key, "xlsx"))


def _raw(key: str) -> tuple[Survey, RawExport, Any]:
    survey = _survey_or_404(key)
    version = survey.current_version
    if version is None:
        abort(404)
    defn = version_definition(version)
    columns = raw_columns(defn)
    return survey, raw_export(defn, columns), columns


@bp.get("/surveys/<key>/responses.csv")
@permission_required("responses.download")
def responses_csv(key: str) -> ResponseReturnValue:
    survey, export, columns = _raw(key)
    encoding = _encoding_or_400()
    reveal = _reveal_requested()
    if jobs.in_background(survey):
        return _job_offer(survey, "responses.csv", encoding=encoding, reveal=reveal)
    log_download(current_user.id, "download.responses_csv", survey.key, encoding=encoding, revealed=reveal)
    return _streamed_csv(csv_header(export.columns), export.rows(raw_rows(survey, columns), reveal=reveal),
                         _raw_filename(survey, "csv"), encoding)


@bp.get("/surveys/<key>/responses.xlsx")
@permission_required("responses.download")
def responses_xlsx(key: str) -> ResponseReturnValue:
    survey, export, columns = _raw(key)
    reveal = _reveal_requested()
    if jobs.in_background(survey):
        return _job_offer(survey, "responses.xlsx", reveal=reveal)
    log_download(current_user.id, "download.responses_xlsx", survey.key, revealed=reveal)
    sheets = raw_sheets(export, export.rows(raw_rows(survey, columns), reveal=reveal))
    return _xlsx_response(sheets, _raw_filename(survey, "xlsx"))


def _raw_filename(survey: Survey, extension: str) -> str:
    return _("回答データ_%(survey)s_%(date)s.%(ext)s", survey=survey.key, date=_today(), ext=extension)


def _job_offer(survey: Survey, kind: str, *, encoding: str = "utf-8", reveal: bool = False) -> ResponseReturnValue:
    """A large download: a button that starts making it in the background."""
    return render_template("staff/download_job.html", job=None, survey=survey, kind=kind, encoding=encoding,
                           reveal=reveal, responses=jobs.response_count(survey))


@bp.post("/surveys/<key>/responses/jobs")
@permission_required("responses.download")
def responses_job(key: str) -> ResponseReturnValue:
    survey, _export, _columns = _raw(key)
    kind = request.form.get("kind", "")
    if kind not in jobs.KINDS:
        abort(400)
    extension = kind.split(".")[1]
    encoding = _encoding_or_400(request.form) if extension == "csv" else "utf-8"
    reveal = _reveal_requested(request.form)
    job = jobs.start_job(current_user.id, survey, kind, _raw_filename(survey, extension),
                         encoding=encoding, reveal=reveal)
    detail: dict[str, Any] = {"revealed": reveal, "background": True}
    if extension == "csv":
        detail["encoding"] = encoding
    log_download(current_user.id, f"download.responses_{extension}", survey.key, **detail)
    return redirect(url_for("staff.download_job", token=job.token), 303)


@bp.get("/downloads/jobs/<token>")
@permission_required("responses.download")
def download_job(token: str) -> ResponseReturnValue:
    job = jobs.find_job(token, current_user.id)
    if job is None:
        abort(404)
    response = make_response(render_template("staff/download_job.html", job=job, survey=job.survey,
                                             ready=jobs.finished_file(job) is not None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/downloads/jobs/<token>/file")
@permission_required("responses.download")
def download_job_file(token: str) -> ResponseReturnValue:
    job = jobs.find_job(token, current_user.id)
    path = jobs.finished_file(job) if job is not None else None
    if job is None or path is None:
        abort(404)
    mimetype = XLSX_MIMETYPE if job.kind.endswith(".xlsx") else (
        "text/csv; charset=Shift_JIS" if job.encoding == "cp932" else "text/csv; charset=utf-8")
    response = send_file(path, mimetype=mimetype, conditional=False, etag=False)
    response.headers["Content-Type"] = mimetype  # as is: Flask would add a second charset
    response.headers["Content-Disposition"] = attachment_header(job.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/surveys/<key>/codebook.csv")
@permission_required("responses.download")
def codebook_csv(key: str) -> ResponseReturnValue:
    survey, export, _columns = _raw(key)
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.codebook_csv", survey.key, encoding=encoding)
    return _csv_response(CODEBOOK_HEADER, export.codebook,
                         _("コードブック_%(survey)s.%(ext)s", survey=survey.key, ext="csv"), encoding)
