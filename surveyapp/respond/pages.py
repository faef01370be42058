"""Rendering the respondent pages from a definition: shared by the public flow and the staff
preview of a draft, so that a preview is exactly what residents get."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from flask import current_app, make_response, render_template, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..i18n import current_language, localized
from ..surveys.definitions import QuestionDef, SurveyDef
from .contact import survey_contact
from .forms import HONEYPOT_FIELD, question_texts


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
    language = current_language()
    rendered = []
    for question in questions:
        field = form[question.key]
        empty = ctx.content_hash is not None and field.data in (None, "", []) and not field.errors
        rendered.append({**question_texts(question, language), "field": field,
                         "fragment": (ctx.content_hash, field.name, language) if empty else None})
    body = render_template(
        template, ctx=ctx, form=form, questions=rendered, number=number,
        total=len(ctx.pages), final=final, single=len(questions) == 1,
        has_errors=bool(form.errors), honeypot=form[HONEYPOT_FIELD], **survey_texts(ctx.defn), **extra,
    )
    response = make_response(body, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


FRAGMENTS_KEPT = 2000
"""At most this many question fragments per application (a few surveys × languages × questions)."""


def question_fragment(key: tuple[Any, ...], caller: Callable[[], str]) -> Markup:
    """``{% call question_fragment(q.fragment) %}…{% endcall %}``: the markup of a question shown
    empty, made once per stored definition, field, language and layout, then reused (the
    question templates cost more than the rest of a page).  Only for keys made by
    :func:`render_page`, which makes one only when nothing in the markup depends on the
    respondent: no answer entered, no error, a definition that cannot change.  Kept per
    application, as its templates and catalogues are part of the markup."""
    kept: dict[tuple[Any, ...], Markup] = current_app.extensions.setdefault("question_fragments", {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= FRAGMENTS_KEPT:
            kept.clear()
        html = kept[key] = Markup(caller())  # noqa: S704 - the template's own output
    return html
