"""The printable paper questionnaire (HTML with print CSS; the browser prints it or saves a PDF).

:func:`render_paper` is a function of a *definition* — a stored version or a draft that is
being edited — and a language, so every form of a survey is printed from the same source as
its web pages. The fixed wording (instructions, 「問」, the code box) comes from the
respondent catalogues in the questionnaire's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import format_date

from ..i18n import LANGUAGE_NAMES, in_language, offered_languages
from ..invitations.codes import CODE_LENGTH, GROUP
from ..surveys.definitions import SurveyDef
from .layout import paper_layout

MAX_COPIES = 200
"""Questionnaires per print (like the letters): a browser prints a few hundred pages well."""


@dataclass(frozen=True)
class PrintOptions:
    """What is printed besides the questions: the serial numbers (None: one copy with an empty
    number box), the return deadline and the contact of a wave, and the staff toolbar."""

    serials: Sequence[int] | None = None
    deadline: date | None = None
    contact: str = ""
    toolbar: dict[str, object] | None = None


def paper_languages(defn: SurveyDef) -> list[tuple[str, str]]:
    """The languages a survey is offered in (its translations that the site offers), with
    their names in themselves; Japanese first."""
    offered = offered_languages()
    codes = [c for c in offered if c == "ja" or c in defn.translation_status]
    return [(code, LANGUAGE_NAMES[code]) for code in codes]


def _deadline(day: date | None, language: str) -> str:
    """As on the letters in Japanese (「令和8年6月30日（火）」); else the language's long date."""
    if day is None:
        return ""
    if language == "ja":
        from ..invitations.staff_views import _japanese_date

        return _japanese_date(day)
    return str(format_date(day, "long"))


def render_paper(defn: SurveyDef, language: str = "ja", options: PrintOptions | None = None) -> str:
    """The printable questionnaire of ``defn`` in ``language`` as an HTML page."""
    options = options or PrintOptions()
    layout = paper_layout(defn, language)
    serials = list(options.serials) if options.serials is not None else [None]
    groups = [GROUP] * (CODE_LENGTH // GROUP)
    with in_language(language):
        return render_template("paper/questionnaire.html", layout=layout, serials=serials,
                               code_groups=groups, deadline=_deadline(options.deadline, language),
                               contact=options.contact, toolbar=options.toolbar)
