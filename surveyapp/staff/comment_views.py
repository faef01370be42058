"""The comments page and its downloads: free text grouped by question, keyword search, the KPI
answer beside each comment, phone numbers and e-mail addresses hidden unless an analyst asks to
see them (recorded in the audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from ..auth.roles import permission_required
from ..exports.comments import comment_export
from ..exports.xlsx import Sheet
from ..masking import KIND_NAMES, segments
from ..results.comments import (
    Comment,
    CommentQuery,
    all_comments,
    comments_page,
    keyword_forms,
    kpi_questions,
    split_keywords,
    text_questions,
)
from ..results.declarations import GroupQuestion, survey_group_questions
from ..results.overview import fiscal_years
from ..surveys.definitions import SurveyDef
from ..surveys.models import Survey
from ..surveys.services import version_definition
from .download_views import _encoding_or_400, _reveal_requested, _streamed_csv, _today, _xlsx_response
from .params import ResultOptions, parse_options
from .services import log_comments_view, log_download
from .views import _survey_or_404, bp

KEYWORDS_LENGTH_MAX = 100


@dataclass
class _Request:
    """What the comments page or download was asked for."""

    defn: SurveyDef
    groups: tuple[GroupQuestion, ...]
    options: ResultOptions
    keywords_text: str
    page: int
    reveal: bool

    def comment_query(self) -> CommentQuery:
        valid = not self.options.errors
        return CommentQuery(
            keys=tuple(key for key, _text in text_questions(self.defn)),
            kpi_keys=tuple(kpi_questions(self.defn)),
            selection=self.options.selection if valid else ResultOptions().selection,
            fiscal_year=self.options.fiscal_year if valid else None,
            keywords=split_keywords(self.keywords_text) if valid else ())

    def query(self, **changes: Any) -> dict[str, object]:
        """The current choices as URL parameters (for pagination and the downloads)."""
        values = self.options.query(fiscal_year=self.options.fiscal_year)
        if self.keywords_text:
            values["q"] = self.keywords_text
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    @property
    def audit_detail(self) -> dict[str, Any]:
        return {"filter": self.options.selection.as_dict(), "fiscal_year": self.options.fiscal_year,
                "keywords": list(split_keywords(self.keywords_text))}


def _parse(survey: Survey) -> _Request:
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
    keywords = " ".join(request.args.get("q", "").split())
    if len(keywords) > KEYWORDS_LENGTH_MAX:
        options.errors["q"] = _("キーワードは%(n)s文字以内で入力してください。", n=KEYWORDS_LENGTH_MAX)
        keywords = ""
    return _Request(defn, groups, options, keywords, int(page), _reveal_requested())


def _highlighted(text: str, keywords: tuple[str, ...]) -> Markup:
    """Escaped text with each keyword marked (case-insensitive)."""
    lowered = text.lower()
    if not keywords or len(lowered) != len(text):
        return escape(text)
    marks = [False] * len(text)
    forms = {form.lower() for keyword in keywords for form in keyword_forms(keyword)}
    for needle in forms:
        start = lowered.find(needle)
        while needle and start >= 0:
            for index in range(start, start + len(needle)):
                marks[index] = True
            start = lowered.find(needle, start + len(needle))
    out: list[Markup] = []
    index = 0
    while index < len(text):
        end = index
        while end < len(text) and marks[end] == marks[index]:
            end += 1
        piece = text[index:end]
        out.append(Markup("<mark>{}</mark>").format(piece) if marks[index] else escape(piece))
        index = end
    return Markup("").join(out)


def comment_html(comment: Comment, keywords: tuple[str, ...], reveal: bool) -> Markup:
    """The comment as HTML: keywords marked; phone numbers and e-mail addresses either shown
    (marked as such) or replaced by a label."""
    out: list[Markup] = []
    for piece, kind in segments(comment.text, list(comment.contacts)):
        if kind is None:
            out.append(_highlighted(piece, keywords))
        elif reveal:
            out.append(Markup('<span class="contact-shown" title="{}">{}</span>').format(
                _("%(kind)s（表示中）", kind=KIND_NAMES[kind]), piece))
        else:
            out.append(Markup('<span class="contact-masked">{}</span>').format(
                _("［%(kind)s］", kind=KIND_NAMES[kind])))
    return Markup("").join(out)


@bp.get("/surveys/<key>/comments")
@permission_required("comments.view")
def survey_comments(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    asked = _parse(survey)
    query = asked.comment_query()
    result = comments_page(survey, query, page=asked.page)
    log_comments_view(current_user.id, survey.key, revealed=asked.reveal, page=result.page,
                      shown=len(result.items), **asked.audit_detail)
    defn = asked.defn
    questions = {q.key: (index + 1, q.text["ja"]) for index, q in enumerate(defn.questions)}
    kpi_labels = [{o.code: (o.text["ja"], o.kind) for o in defn.question(k).options} for k in query.kpi_keys]
    success = [set().union(*(kpi.success for kpi in defn.kpis if kpi.question == k)) for k in query.kpi_keys]
    channels = {item.channel for item in result.items}
    links = {item.link for item in result.items}
    title = survey.current_version.title if survey.current_version else survey.key
    return render_template(
        "staff/comments.html", survey=survey, title=title, page=result, options=asked.options,
        groups=asked.groups, questions=questions, link_id=asked.options.link_id, query=asked.query(),
        keep=asked.query(reveal=1 if asked.reveal else None),
        keywords_text=asked.keywords_text, keywords=query.keywords, reveal=asked.reveal,
        kpi_keys=query.kpi_keys, kpi_labels=kpi_labels, kpi_success=success,
        show_channel=len(channels) > 1 or len(links) > 1, comment_html=comment_html,
        years=fiscal_years(survey.id),
    ), 400 if asked.options.errors else 200


def _comment_download(key: str, fmt: str) -> Response:
    survey = _survey_or_404(key)
    asked = _parse(survey)
    if asked.options.errors:
        abort(400, description="; ".join(asked.options.errors.values()))
    query = asked.comment_query()
    export = comment_export(asked.defn, query.kpi_keys)
    rows = export.rows(all_comments(survey, query), reveal=asked.reveal)
    detail = {**asked.audit_detail, "revealed": asked.reveal}
    if fmt == "xlsx":
        log_download(current_user.id, "download.comments_xlsx", survey.key, **detail)
        return _xlsx_response([Sheet.of(_("自由記述"), export.columns, rows)],
                              _("自由記述_%(survey)s_%(date)s.%(ext)s", survey=survey.key, date=_today(), ext="xlsx"))
    encoding = _encoding_or_400()
    log_download(current_user.id, "download.comments_csv", survey.key, encoding=encoding, **detail)
    name = _("自由記述_%(survey)s_%(date)s.%(ext)s", survey=survey.key, date=_today(), ext="csv")
    return _streamed_csv([c.key for c in export.columns], rows, name, encoding)


@bp.get("/surveys/<key>/comments.csv")
@permission_required("comments.view")
def comments_csv(key: str) -> ResponseReturnValue:
    return _comment_download(key, "csv")


@bp.get("/surveys/<key>/comments.xlsx")
@permission_required("comments.view")
def comments_xlsx(key: str) -> ResponseReturnValue:
    return _comment_download(key, "xlsx")
