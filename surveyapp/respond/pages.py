"""Rendering the respondent pages from a definition: shared by the public flow and the staff
preview of a draft, so that a preview is exactly what residents get."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol

from flask import Response, current_app, make_response, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from ..i18n import current_language, large_text, localized, offered_languages
from ..surveys.definitions import QuestionDef, SurveyDef
from ..web import here_path
from .contact import survey_contact
from .forms import HONEYPOT_FIELD, question_texts, unanswered


class Navigation(Protocol):
    """Where the pages link and post to."""

    def start(self) -> str: ...
    def begin(self) -> str: ...
    def again(self) -> str: ...
    def page(self, number: int) -> str: ...


class RespondentNavigation:
    """The public flow of a link."""

    def __init__(self, code: str) -> None:
        self.code = code

    def start(self) -> str:
        return url_for("respond.start_page", code=self.code)

    def begin(self) -> str:
        return url_for("respond.start", code=self.code)

    def again(self) -> str:
        return url_for("respond.again", code=self.code)

    def page(self, number: int) -> str:
        return url_for("respond.page", code=self.code, number=number)


class PageContext:
    """A definition being answered (or previewed) and where its pages are.

    ``content_hash``: the hash of a stored (so unchangeable) definition; with it, the markup of
    a question shown empty is made once per language and kept (see :func:`question_fragment`).
    """

    def __init__(self, defn: SurveyDef, nav: Navigation, *, content_hash: str | None = None) -> None:
        self.defn = defn
        self.nav = nav
        self.content_hash = content_hash

    @property
    def pages(self) -> list[list[QuestionDef]]:
        return self.defn.pages()


def survey_texts(defn: SurveyDef) -> dict[str, Any]:
    """What every page of a survey shows around its questions, in the page's language: title and
    description (with the language they are in) and whom to contact."""
    title, title_lang = localized(defn.title)
    description, description_lang = localized(defn.description) if defn.description else ("", "")
    return {"survey_title": title, "survey_title_lang": title_lang,
            "survey_description": description, "survey_description_lang": description_lang,
            "contact": survey_contact(defn)}


def render_page(ctx: PageContext, form: Any, questions: list[QuestionDef], number: int, final: bool, *,
                template: str = "respond/page.html", **extra: Any) -> ResponseReturnValue:
    """One page of questions, never kept by a cache (it may show answers)."""
    return no_store(page_markup(ctx, form, questions, number, final, template=template, **extra))


def page_markup(ctx: PageContext, form: Any, questions: list[QuestionDef], number: int, final: bool, *,
                template: str = "respond/page.html", **extra: Any) -> str:
    language = current_language()
    rendered = []
    for question in questions:
        field = form[question.key]
        empty = ctx.content_hash is not None and unanswered(field.data) and not field.errors
        rendered.append({**question_texts(question, language), "field": field,
                         "fragment": (ctx.content_hash, field.name, language) if empty else None})
    return render_template(
        template, ctx=ctx, form=form, questions=rendered, number=number,
        total=len(ctx.pages), final=final, single=len(questions) == 1,
        has_errors=bool(form.errors), honeypot=form[HONEYPOT_FIELD], **survey_texts(ctx.defn), **extra,
    )


def no_store(body: str) -> Response:
    """A respondent page that a cache must never keep (it may show answers, or carry a form's
    token)."""
    response = make_response(body, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_empty_page(ctx: PageContext, make_form: Callable[[], Any], questions: list[QuestionDef],
                      number: int, final: bool, *, template: str, token: str,
                      response_id: str | None) -> Response:
    """A page of questions shown empty (nothing answered on it yet, no error): the same markup
    as :func:`render_page`, made once per stored definition, page and :func:`page_key`, then
    reused with this request's form ``token`` (and, on the last page, the ``response_id``)."""
    key = page_key(ctx.defn, template, ctx.content_hash, number) if ctx.content_hash else None
    values = (token,) if response_id is None else (token, response_id)
    return no_store(kept_page(key, lambda: page_markup(ctx, make_form(), questions, number, final,
                                                       template=template), *values))


FRAGMENTS_KEPT = 2000
"""At most this many question fragments per application (a few surveys × languages × questions)."""


def question_fragment(key: tuple[Any, ...], caller: Callable[[], str]) -> Markup:
    """``{% call question_fragment(q.fragment) %}…{% endcall %}``: the markup of a question shown
    empty, made once per stored definition, field, language and layout, then reused (the
    question templates cost more than the rest of a page).  Only for keys made by
    :func:`render_page`, which makes one only when nothing in the markup depends on the
    respondent: no answer entered, no error, a definition that cannot change.  Kept per
    application, as its templates and catalogues are part of the markup."""
    kept: dict[tuple[Any, ...], Markup] = _kept("question_fragments")
    html = kept.get(key)
    if html is None:
        html = _keep(kept, key, Markup(caller()), FRAGMENTS_KEPT)  # noqa: S704 - the template's own output
    return html


def _kept(name: str) -> dict[Any, Any]:
    """One of the application's stores of markup made once (see :func:`question_fragment` and
    :func:`kept_page`)."""
    return current_app.extensions.setdefault(name, {})


def _keep(kept: dict[Any, Any], key: Any, value: Any, limit: int) -> Any:
    """Keep ``value``; a store at its limit starts again (the surveys in use fill it again at
    once, so addresses made up to fill it cost memory only up to the limit)."""
    if len(kept) >= limit:
        kept.clear()
    kept[key] = value
    return value


PAGES_KEPT = 500
"""At most this many whole pages per application (see :func:`kept_page`)."""


def page_key(defn: SurveyDef, *parts: Hashable) -> tuple[Hashable, ...] | None:
    """What a respondent page's markup depends on, given ``parts`` that name the survey's stored
    content and the page: the language, the text size, the address its preference links come
    back to, the offered languages and whom to contact (site settings). None when the page
    shows something of this request alone (a message kept for it in the session)."""
    if "_flashes" in session:
        return None
    return (*parts, current_language(), large_text(), request.script_root, here_path(), offered_languages(),
            survey_contact(defn))


def kept_page(key: tuple[Hashable, ...] | None, render: Callable[[], str], *values: str) -> str:
    """The markup ``render`` makes for ``key``, made once per application and reused (the
    templates are most of a respondent page's cost). ``values`` are this request's own strings
    in it, such as a form token: each must appear in the markup exactly once and need no
    escaping, and each later use puts its own in their place. Markup in which one does not is
    not kept; neither is any when ``key`` is None. Kept per application, as its templates,
    catalogues and settings are part of the markup."""
    if key is None:
        return render()
    kept: dict[tuple[Hashable, ...], tuple[str | int, ...]] = _kept("kept_pages")
    parts = kept.get(key)
    if parts is not None:
        return "".join(part if isinstance(part, str) else values[part] for part in parts)
    markup = render()
    parts = _with_holes(markup, values)
    if parts is not None:
        _keep(kept, key, parts, PAGES_KEPT)
    return markup


def _with_holes(markup: str, values: tuple[str, ...]) -> tuple[str | int, ...] | None:
    """``markup`` as its literal pieces with, where each of ``values`` was, its index."""
    parts: list[str | int] = [markup]
    for index, value in enumerate(values):
        if not value or str(escape(value)) != value or markup.count(value) != 1:
            return None
        at = next(i for i, part in enumerate(parts) if isinstance(part, str) and value in part)
        before, after = str(parts[at]).split(value)
        parts[at:at + 1] = [before, index, after]
    return tuple(parts)
