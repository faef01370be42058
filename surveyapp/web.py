"""Request-wide behaviour: security headers, error pages, template helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .extensions import compress
from .i18n import (
    LANGUAGE_NAMES,
    available_languages,
    current_language,
    html_lang,
    is_staff_request,
    large_text,
    phrases,
    plain_gettext,
    ruby,
    ruby_always,
    strip_ruby,
    template_gettext,
)
from .inputs import (
    DB_INT_MAX,
    ControlCharacters,
    path_has_control_characters,
    refuse_control_characters_in_query,
)

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
# On every response (a view may have set its own first).
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

ERROR_MESSAGES = {
    400: (_l("送信内容を確認できませんでした"), _l("もう一度、前のページからやり直してください。")),
    403: (_l("このページを表示する権限がありません"), _l("権限のある職員アカウントでログインしてください。")),
    404: (_l("ページが見つかりません"), _l("アドレス（URL）が正しいか確認してください。")),
    405: (_l("この操作はできません"), _l("前のページに戻ってやり直してください。")),
    409: (_l("この回答はすでに別の内容で送信されています"),
          _l("同じ回答を二重に保存しないため、受け付けませんでした。はじめから回答してください。")),
    410: (_l("このアンケートは受付を終了しています"), _l("ご協力ありがとうございました。")),
    413: (_l("送信された内容が大きすぎます"), _l("入力した文章を短くして、もう一度送信してください。")),
    429: (_l("ただいま送信が集中しています"),
          _l("しばらく待ってから、もう一度お試しください。前の画面までの回答は保存されています。")),
    500: (_l("システムで問題が発生しました"), _l("時間をおいて、もう一度お試しください。")),
}

CONTROL_CHARACTER_MESSAGE = (
    _l("アドレスに使えない文字が含まれています"),
    _l("アドレス（URL）に、使えない文字（制御文字）が含まれていました。リンクやQRコードから、もう一度開いてください。"))

JSON_PATHS = ("/kiosk/api/",)
"""Where every answer, errors included, is JSON (the kiosk's queue reads it)."""
JSON_ERROR_CODES = {400: "malformed", 401: "unknown_device", 403: "forbidden", 404: "not_found",
                    405: "method_not_allowed", 413: "too_large", 415: "json_required",
                    429: "rate_limited", 500: "server_error"}


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0 … ``limit`` (leading zeros allowed)."""
    text = str(limit)
    choices = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        low = 1 if position == 0 and len(text) > 1 else 0
        if int(digit) > low:
            rest = len(text) - position - 1
            choices.append(text[:position] + f"[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(text)
    return "0*(?:" + "|".join(choices) + ")"


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: 0 … :data:`~surveyapp.inputs.DB_INT_MAX` (ids are INTEGER
    columns, 32-bit on PostgreSQL). A larger or negative number cannot name a row and does not
    match the route at all, so it is 404 on every method (never 405, or a 500 from an overflow
    deep in the database driver)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        limit = DB_INT_MAX if max is None else max
        super().__init__(map, fixed_digits, 0 if min is None else min, limit, signed)
        if not fixed_digits and not signed:
            self.regex = digits_up_to(limit)


def register_url_converters(app: Flask) -> None:
    """One app-wide bound for integers in URLs (must run before routes are added)."""
    app.url_map.converters["int"] = BoundedIntConverter


def register_web_hooks(app: Flask) -> None:
    """Security headers on every response, compression, friendly error pages, template globals."""
    app.after_request(compress_response)  # registered first: runs after the other hooks

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Pages that show answers or staff data must never be kept by a cache. (Chromium may
        # still keep a no-store page for Back until a cookie changes: see respond.views._submit.)
        if request.blueprint in ("staff", "auth") or request.path.startswith(("/s/", "/staff")):
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response

    @app.url_value_preprocessor
    def _no_control_characters_in_paths(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if path_has_control_characters(values):
            abort(404)

    @app.before_request
    def _no_control_characters_in_queries() -> None:
        refuse_control_characters_in_query(request)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        code = error.code or 500
        title, detail = ERROR_MESSAGES.get(code, (error.name, error.description or ""))
        if isinstance(error, ControlCharacters):
            title, detail = CONTROL_CHARACTER_MESSAGE
        # What the error itself says to the client (Retry-After of a 429, Allow of a 405).
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if request.path.startswith(JSON_PATHS):
            response = jsonify(error=JSON_ERROR_CODES.get(code, "error"), message=str(title))
            return response, code, headers
        return render_template("error.html", code=code, title=str(title), detail=str(detail)), code, headers

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> Any:
        title = _("画面の有効期限が切れました")
        detail = _("安全のため、送信を受け付けませんでした。ページを開き直して、もう一度お試しください。")
        return render_template("error.html", code=400, title=title, detail=detail), 400

    # Our own gettext for templates: Jinja's would trust the translation as HTML.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext,
                                 _plain=plain_gettext)
    app.jinja_env.filters.update(ruby=ruby, ruby_always=ruby_always, no_ruby=strip_ruby,
                                 phrases=phrases)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        language = current_language()
        return {"page_lang": html_lang(language), "language": language,
                "languages": available_languages, "html_lang": html_lang,
                "language_names": LANGUAGE_NAMES, "staff_page": is_staff_request(),
                "large_text": large_text(), "here": here_path}


def compress_response(response: Response) -> Response:
    """Brotli or gzip for HTML, CSS, JavaScript and JSON, except on staff pages.

    Staff pages show residents' free-text answers next to input reflected from the address
    (filters); compressing secrets together with attacker-chosen text is what BREACH measures,
    and staff work on the city's network, where the bytes hardly matter. The reasoning for the
    respondent pages is in docs/performance.md."""
    if is_staff_request() or response.status_code == 206:  # a byte range is of the plain file
        return response
    return compress.after_request(response)


def here_path() -> str:
    """This page's path (and query on GET) to return to after changing a preference."""
    if request.method == "GET" and request.query_string:
        return request.full_path
    return request.path


def register_view_error_pages(app: Flask) -> None:
    """Error pages for the services' own exceptions (registered with the views, which import
    the services)."""
    from .surveys.services import UnknownSurvey

    @app.errorhandler(UnknownSurvey)
    def _unknown_survey(_error: UnknownSurvey) -> Any:
        title, detail = ERROR_MESSAGES[404]
        return render_template("error.html", code=404, title=str(title), detail=str(detail)), 404
