"""Languages, locale selection, catalogues and the text of survey definitions in the chosen language.

UI strings are written in Japanese in the source (the service's default language) and go
through Flask-Babel; catalogues translate them into the other languages.

やさしい日本語 (``ja-easy``) is not a locale that Babel/CLDR knows, so catalogues are looked up by
*our* language code (:data:`CATALOGUES`, e.g. ``translations/ja_easy/``) by
:class:`LanguageDomain`, while dates and numbers are formatted with the Babel locale in
:data:`BABEL_LOCALES` (Japanese for やさしい日本語).

Ruby readings: texts for やさしい日本語 (catalogue entries and survey definitions) write readings as
``{漢字|かんじ}``.  :func:`ruby` escapes the text first and then turns the notation into
``<ruby>漢字<rt>かんじ</rt></ruby>`` on やさしい日本語 pages and into the plain base text elsewhere,
so no translator or definition text is ever trusted as HTML.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache, cached_property
from typing import Any

import budoux
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context, request
from flask_babel import Babel, Domain, get_babel, refresh
from markupsafe import Markup, escape

# Our language codes (as used in survey definitions) → name of the language in itself.
LANGUAGE_NAMES: dict[str, str] = {
    "ja": "日本語",
    "ja-easy": "やさしい にほんご",
    "pt-BR": "Português (Brasil)",
    "en": "English",
    "vi": "Tiếng Việt",
    "zh-Hans": "简体中文",
    "tl": "Tagalog",
}
DEFAULT_LANGUAGE = "ja"
LANGUAGE_COOKIE = "lang"
TEXT_SIZE_COOKIE = "text"

OFFERED_BY_DEFAULT: tuple[str, ...] = ("ja", "ja-easy", "pt-BR", "en", "vi")
"""Languages whose UI catalogue is complete; ``LANGUAGES_OFFERED`` in the config may add the
prepared ones (zh-Hans, tl) once their catalogues are finished."""

CATALOGUES: dict[str, str] = {
    "ja-easy": "ja_easy",
    "pt-BR": "pt_BR",
    "en": "en",
    "vi": "vi",
    "zh-Hans": "zh_Hans",
    "tl": "tl",
}
"""Catalogue folder under ``translations/`` per language.  Japanese is the source: no catalogue."""

BABEL_LOCALES: dict[str, str] = {
    "ja": "ja",
    "ja-easy": "ja",
    "pt-BR": "pt_BR",
    "en": "en",
    "vi": "vi",
    "zh-Hans": "zh_Hans",
    "tl": "fil",
}
"""Locale used to format dates and numbers per language."""

JAPANESE = ("ja", "ja-easy")
STAFF_PREFIX = "/staff"

_RUBY = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")
log = logging.getLogger(__name__)


def html_lang(code: str) -> str:
    """The BCP 47 tag for the ``lang`` attribute (やさしい日本語 is Japanese)."""
    return "ja" if code == "ja-easy" else code


def offered_languages() -> tuple[str, ...]:
    configured = current_app.config.get("LANGUAGES_OFFERED") or OFFERED_BY_DEFAULT
    return tuple(code for code in configured if code in LANGUAGE_NAMES)


def is_staff_request() -> bool:
    """Staff pages are in Japanese only (city staff work in Japanese)."""
    if not has_request_context():
        return False
    return request.path == STAFF_PREFIX or request.path.startswith(STAFF_PREFIX + "/")


def current_language() -> str:
    """The language of this request: the resident's explicit choice (cookie) → the language the
    link is fixed to, if any → the browser's Accept-Language → ja."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    cached = g.get("language")
    if cached:
        return str(cached)
    offered = offered_languages()
    if is_staff_request():
        choice: str | None = DEFAULT_LANGUAGE
    else:
        choice = request.cookies.get(LANGUAGE_COOKIE)
        if choice not in offered:
            choice = g.get("link_language")
        if choice not in offered:
            choice = _from_accept_language(offered)
    g.language = choice
    return str(choice)


def use_language(code: str) -> None:
    """Render the rest of this request in ``code``: the staff preview of a respondent page (staff
    pages are otherwise always Japanese)."""
    g.language = code
    refresh()


def set_link_language(code: str | None) -> None:
    """Remember the language the link being answered is fixed to (None: not fixed), used when
    the resident has not chosen one."""
    g.link_language = code
    g.pop("language", None)
    refresh()


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Render part of a page in another language (e.g. a poster for residents on a staff page)."""
    previous = g.get("language")
    g.language = code
    refresh()
    try:
        yield
    finally:
        if previous is None:
            g.pop("language", None)
        else:
            g.language = previous
        refresh()


def _from_accept_language(offered: tuple[str, ...]) -> str:
    tags = {code.lower(): code for code in offered if code != "ja-easy"}
    aliases = {"pt": "pt-BR", "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "fil": "tl"}
    tags.update({alias: code for alias, code in aliases.items() if code in offered})
    for value, _quality in request.accept_languages:
        value = value.lower()
        if value in tags:
            return tags[value]
        base = value.split("-")[0]
        if base in tags:
            return tags[base]
    return DEFAULT_LANGUAGE


def babel_locale() -> str:
    """Locale selector for Flask-Babel: formatting only; catalogues come from LanguageDomain."""
    return BABEL_LOCALES[current_language()]


_JAPANESE_SOURCE = NullTranslations()
"""The "catalogue" of the source language: every msgid is its own translation (one object, asked
for every string of every Japanese page)."""


class LanguageDomain(Domain):
    """Loads ``translations/<CATALOGUES[language]>/LC_MESSAGES/messages.mo`` for our language code.

    Flask-Babel would look the catalogue up by the Babel locale, which cannot tell やさしい日本語
    from Japanese.  A missing catalogue (not compiled yet) means Japanese, the source language.
    """

    def get_translations(self) -> NullTranslations:
        catalogue = CATALOGUES.get(current_language())
        if catalogue is None:
            return _JAPANESE_SOURCE
        directories = tuple(get_babel().translation_directories)
        key = (directories, catalogue)
        translations = self.cache.get(key)
        if translations is None:
            translations = self.cache[key] = _load_catalogue(directories, catalogue)
        return translations


def _load_catalogue(directories: tuple[str, ...], catalogue: str) -> NullTranslations:
    result: NullTranslations | None = None
    for directory in directories:
        path = os.path.join(directory, catalogue, "LC_MESSAGES", "messages.mo")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as handle:
            loaded = Translations(handle, domain="messages")
        if result is None:
            result = loaded
        else:
            result.merge(loaded)  # type: ignore[attr-defined]
    if result is None:
        log.warning("no compiled catalogue for %s (run `flask i18n compile`); showing Japanese",
                    catalogue)
        return NullTranslations()
    return result


class LanguageBabel(Babel):
    """Flask-Babel with catalogues looked up by our language code."""

    @cached_property
    def domain_instance(self) -> Domain:
        return LanguageDomain(domain="messages")


# --------------------------------------------------------------------------- ruby and templates


def _ruby_markup(escaped: str, with_ruby: bool) -> str:
    if "{" not in escaped:
        return escaped
    if with_ruby:
        return _RUBY.sub(r"<ruby>\1<rt>\2</rt></ruby>", escaped)
    return _RUBY.sub(r"\1", escaped)


def strip_ruby(text: str) -> str:
    """The text without reading notation: ``{漢字|かんじ}`` → ``漢字``."""
    return _RUBY.sub(r"\1", text)


def ruby(text: Any) -> Markup:
    """Escape ``text``, then show ``{漢字|かんじ}`` as ruby on やさしい日本語 pages (base text elsewhere)."""
    escaped = str(escape("" if text is None else text))
    return Markup(_ruby_markup(escaped, current_language() == "ja-easy"))  # noqa: S704 - escaped above


@cache
def _japanese_phrases() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


def phrases(text: Any) -> Markup:
    """Escape ``text`` and allow line breaks only between phrases, for headings that must not
    break mid-word (「市民ア／ンケート」): in Japanese a ``<wbr>`` between the phrases BudouX
    finds (use with ``word-break: keep-all``); やさしい日本語 is already written with spaces
    between phrases and gets its ruby; other languages break at spaces anyway."""
    value = "" if text is None else str(text)
    language = current_language()
    if language == "ja-easy":
        return ruby(value)
    if language != "ja":
        return escape(strip_ruby(value))
    return Markup("<wbr>").join(escape(part) for part in _japanese_phrases().parse(value))


def ruby_always(text: Any) -> Markup:
    """Like :func:`ruby` but with readings on any page (e.g. the やさしい日本語 lines of a poster)."""
    escaped = str(escape("" if text is None else text))
    return Markup(_ruby_markup(escaped, True))  # noqa: S704 - escaped above


def _translate(msgid: str) -> tuple[str, bool]:
    """The translation and whether the catalogue had one (else the Japanese msgid)."""
    from flask_babel import get_translations

    text = get_translations().ugettext(msgid)
    # gettext returns the very msgid object when the catalogue has no entry for it.
    return text, text is not msgid


def template_gettext(msgid: str, **variables: Any) -> Markup:
    """``_()`` in templates: escaped translation, ruby on やさしい日本語 pages, escaped variables.

    A string that a partial catalogue lacks is shown in Japanese inside ``<span lang="ja">``.
    Use it for element content; use ``_plain()`` in ``<title>`` and attribute values.
    """
    text, found = _translate(msgid)
    language = current_language()
    html = Markup(_ruby_markup(str(escape(text)), language == "ja-easy"))  # noqa: S704 - escaped
    if variables or "%" in html:
        html = html % variables
    if not found and language not in JAPANESE:
        return Markup('<span lang="ja">%s</span>') % html
    return html


def plain_gettext(msgid: str, **variables: Any) -> str:
    """``_plain()`` in templates: the translation as plain text (no ruby), for titles and attributes."""
    text, _found = _translate(msgid)
    return strip_ruby(text) % variables


def localized(texts: Mapping[str, str], language: str | None = None) -> tuple[str, str]:
    """The text in the language (falling back to Japanese) and the language it is in."""
    language = language or current_language()
    if texts.get(language):
        return texts[language], language
    return texts[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE


def available_languages() -> list[tuple[str, str]]:
    """(code, name in itself) for the switcher."""
    return [(code, LANGUAGE_NAMES[code]) for code in offered_languages()]


def large_text() -> bool:
    """Whether the respondent asked for larger text (kept in a cookie, works without JavaScript)."""
    return has_request_context() and request.cookies.get(TEXT_SIZE_COOKIE) == "large"
