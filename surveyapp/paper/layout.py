"""The paper form of a survey definition: numbered questions and numbered boxes.

One function, :func:`paper_layout`, turns a definition (stored or draft) into what is printed,
and the entry screen numbers its options from the same layout: the number printed beside a
box on paper is the key a keyer presses on screen. Wording and option order are the
definition's, so the web and the paper cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import localized
from ..surveys.definitions import QuestionDef, SurveyDef

WRITING_LINES = {"text": 1, "textarea": 6}
"""Printed lines to write on, per text question type."""


@dataclass(frozen=True)
class PaperOption:
    number: int
    code: str
    label: str
    lang: str
    kind: str


@dataclass(frozen=True)
class PaperQuestion:
    number: int
    key: str
    type: str
    text: str
    lang: str
    hint: str
    hint_lang: str
    options: tuple[PaperOption, ...]
    lines: int

    @property
    def is_choice(self) -> bool:
        return self.type in ("single", "multiple")


@dataclass(frozen=True)
class PaperLayout:
    survey_key: str
    language: str
    title: str
    title_lang: str
    description: tuple[str, ...]
    description_lang: str
    questions: tuple[PaperQuestion, ...]

    def question(self, key: str) -> PaperQuestion:
        return next(q for q in self.questions if q.key == key)


def _question(number: int, question: QuestionDef, language: str) -> PaperQuestion:
    text, text_lang = localized(question.text, language)
    hint, hint_lang = localized(question.hint, language) if question.hint else ("", "")
    options = []
    for position, option in enumerate(question.options, start=1):
        label, label_lang = localized(option.text, language)
        options.append(PaperOption(position, option.code, label, label_lang, option.kind))
    return PaperQuestion(number=number, key=question.key, type=question.type, text=text, lang=text_lang,
                         hint=hint, hint_lang=hint_lang, options=tuple(options),
                         lines=WRITING_LINES.get(question.type, 0))


def paper_layout(defn: SurveyDef, language: str = "ja") -> PaperLayout:
    """The paper form of ``defn`` in ``language`` (texts missing in it fall back to Japanese,
    each text carrying the language it is really in). Questions are numbered 問1, 問2 … in
    the definition's order, options 1, 2 … in theirs."""
    title, title_lang = localized(defn.title, language)
    description, description_lang = localized(defn.description, language) if defn.description else ("", language)
    paragraphs = tuple(p.strip() for p in description.split("\n") if p.strip())
    questions = tuple(_question(number, q, language) for number, q in enumerate(defn.questions, start=1))
    return PaperLayout(survey_key=defn.key, language=language, title=title, title_lang=title_lang,
                       description=paragraphs, description_lang=description_lang, questions=questions)
