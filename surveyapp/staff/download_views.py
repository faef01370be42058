"""Downloads (every one audit-logged, all built from result rows) and the comments page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, abort, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import roles_required
from ..exports.cells import Cell, Cp932Encoder, attachment_header, csv_stream, encoded_csv
from ..exports.kpi_table import (
    BREAKDOWN_HEADER,
    KPI_HEADER,
    breakdown_rows,
    kpi_rows,
    kpi_sheets,
    methods_lines,
)
from ..exports.xlsx import XLSX_MIMETYPE, Sheet, stream_file, xlsx_file
from ..results import BY_CHANNEL, kpi_breakdown, kpi_year_results
from ..results.comments import COMMENT_HEADER, comment_rows, comments_page, text_questions
from ..results.declarations import survey_group_questions
from ..results.kpis import KpiYearResult
from ..results.overview import WeightedIndex, fiscal_years, flat_results, kpi_overview, weighted_index
from ..results.raw import CODEBOOK_HEADER, FIXED_HEADER, codebook_rows, raw_columns, raw_rows
from ..surveys.models import Survey
from ..surveys.services import version_definition
from ..timeutil import to_japan, utcnow
from .kpi_views import _channel_names, _declaration_or_404
from .params import ResultOptions, parse_options
from .services import log_download
from .views import ANALYSTS, _survey_or_404, bp

ENCODINGS = ("utf-8", "cp932")


def _today() -> str:
    return f"{to_japan(utcnow()):%Y%m%d}"


def _options_or_400(groups: dict[str, set[str]] | None = None,
                    links: set[int] | None = None) -> ResultOptions:
    options = parse_options(request.args, groups=groups, links=links)
    if options.errors:
        abort(400, description="; ".join(options.errors.values()))
    return options


def _encoding_or_400() -> str:
    encoding = request.args.get("encoding", "utf-8").strip().lower().replace("_", "-")
    if encoding in ("shift-jis", "sjis", "windows-31j"):
        encoding = "cp932"
    if encoding not in ENCODINGS:
        abort(400)
    return encoding


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
@roles_required(*ANALYSTS)
def kpis_csv() -> ResponseReturnValue:
    options = _options_or_400()
    encoding = _encoding_or_400()
    results, weighted = _kpi_results(options)
    rows = kpi_rows(results, weighted)
    log_download(current_user.id, "download.kpis_csv", "all", rows=len(rows), encoding=encoding,
                 method=options.method, level=options.level, filter=options.selection.as_dict())
    return _csv_response(KPI_HEADER, rows, f"KPI集計_{_today()}.csv", encoding)


@bp.get("/downloads/kpis.xlsx")
@roles_required(*ANALYSTS)
def kpis_xlsx() -> ResponseReturnValue:
    options = _options_or_400()
    results, weighted = _kpi_results(options)
    sheets = kpi_sheets(results, weighted)
    log_download(current_user.id, "download.kpis_xlsx", "all", rows=len(results),
                 method=options.method, level=options.level, filter=options.selection.as_dict())
    return _xlsx_response(sheets, f"KPI集計_{_today()}.xlsx")


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
@roles_required(*ANALYSTS)
def breakdowns_csv(key: str, kpi: str) -> ResponseReturnValue:
    declaration, options, _years, tables = _breakdowns(key, kpi)
    encoding = _encoding_or_400()
    rows = breakdown_rows(tables)
    log_download(current_user.id, "download.breakdowns_csv", f"{key}/{kpi}", rows=len(rows),
                 encoding=encoding, filter=options.selection.as_dict())
    return _csv_response(BREAKDOWN_HEADER, rows, f"KPI内訳_{declaration.key}_{_today()}.csv", encoding)


@bp.get("/kpis/<key>/<kpi>/breakdowns.xlsx")
@roles_required(*ANALYSTS)
def breakdowns_xlsx(key: str, kpi: str) -> ResponseReturnValue:
    declaration, options, years, tables = _breakdowns(key, kpi)
    rate = {i: "0.0%" for i, k in enumerate(BREAKDOWN_HEADER) if k in ("estimate", "ci_low", "ci_high")}
    sheets = [Sheet("内訳", BREAKDOWN_HEADER, breakdown_rows(tables), formats=rate),
              Sheet("方法", ["説明"], methods_lines(years), widths={0: 120})]
    log_download(current_user.id, "download.breakdowns_xlsx", f"{key}/{kpi}",
                 filter=options.selection.as_dict())
    return _xlsx_response(sheets, f"KPI内訳_{declaration.key}_{_today()}.xlsx")


def _raw(key: str) -> Any:
    survey = _survey_or_404(key)
    version = survey.current_version
    if version is None:
        abort(404)
    defn = version_definition(version)
    return survey, defn, raw_columns(defn)


@bp.get("/surveys/<key>/responses.csv")
@roles_required(*ANALYSTS)
def responses_csv(key: str) -> ResponseReturnValue:
    survey, _defn, columns = _raw(key)
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.responses_csv", survey.key, encoding=encoding)
    header = FIXED_HEADER + [c.header for c in columns]
    return _streamed_csv(header, raw_rows(survey, columns), f"回答データ_{survey.key}_{_today()}.csv",
                         encoding)


@bp.get("/surveys/<key>/responses.xlsx")
@roles_required(*ANALYSTS)
def responses_xlsx(key: str) -> ResponseReturnValue:
    survey, defn, columns = _raw(key)
    log_download(current_user.id, "download.responses_xlsx", survey.key)
    sheets = [Sheet("回答", FIXED_HEADER + [c.header for c in columns], raw_rows(survey, columns)),
              Sheet("コードブック", CODEBOOK_HEADER, codebook_rows(defn), widths={1: 60, 4: 40})]
    return _xlsx_response(sheets, f"回答データ_{survey.key}_{_today()}.xlsx")


@bp.get("/surveys/<key>/codebook.csv")
@roles_required(*ANALYSTS)
def codebook_csv(key: str) -> ResponseReturnValue:
    survey, defn, _columns = _raw(key)
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.codebook_csv", survey.key, encoding=encoding)
    return _csv_response(CODEBOOK_HEADER, codebook_rows(defn), f"コードブック_{survey.key}.csv", encoding)


def _comment_filter(survey: Survey) -> Any:
    version = survey.current_version
    if version is None:
        abort(404)
    defn = version_definition(version)
    groups = survey_group_questions(defn)
    options = parse_options(request.args, groups={g.key: {o.code for o in g.options} for g in groups},
                            links={link.id for link in survey.links})
    page = request.args.get("page", "1").strip()
    if not page.isdigit() or int(page) < 1:
        options.errors["page"] = _("ページ番号は1以上の整数で指定してください。")
        page = "1"
    return defn, groups, options, int(page)


@bp.get("/surveys/<key>/comments")
@roles_required(*ANALYSTS)
def survey_comments(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    defn, groups, options, page = _comment_filter(survey)
    status = 400 if options.errors else 200
    questions = text_questions(defn)
    keys = [k for k, _text in questions]
    selection = options.selection if not options.errors else ResultOptions().selection
    result = comments_page(survey, keys, selection=selection,
                           fiscal_year=None if options.errors else options.fiscal_year, page=page)
    title = survey.current_version.title if survey.current_version else survey.key
    query = options.query(fiscal_year=options.fiscal_year)
    return render_template("staff/comments.html", survey=survey, title=title, page=result,
                           options=options, groups=groups, questions=dict(questions),
                           link_id=options.link_id, query=query,
                           years=fiscal_years(survey.id)), status


def _comment_download(key: str, fmt: str) -> Response:
    survey = _survey_or_404(key)
    defn, _groups, options, _page = _comment_filter(survey)
    if options.errors:
        abort(400, description="; ".join(options.errors.values()))
    selection = options.selection
    keys = [k for k, _text in text_questions(defn)]
    rows = comment_rows(survey, keys, selection=selection, fiscal_year=options.fiscal_year)
    detail = {"filter": selection.as_dict(), "fiscal_year": options.fiscal_year}
    if fmt == "xlsx":
        log_download(current_user.id, "download.comments_xlsx", survey.key, **detail)
        return _xlsx_response([Sheet("自由記述", COMMENT_HEADER, rows, widths={6: 80})],
                              f"自由記述_{survey.key}_{_today()}.xlsx")
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.comments_csv", survey.key, encoding=encoding, **detail)
    return _streamed_csv(COMMENT_HEADER, rows, f"自由記述_{survey.key}_{_today()}.csv", encoding)


@bp.get("/surveys/<key>/comments.csv")
@roles_required(*ANALYSTS)
def comments_csv(key: str) -> ResponseReturnValue:
    return _comment_download(key, "csv")


@bp.get("/surveys/<key>/comments.xlsx")
@roles_required(*ANALYSTS)
def comments_xlsx(key: str) -> ResponseReturnValue:
    return _comment_download(key, "xlsx")


