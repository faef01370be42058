"""Languages, locale selection and the text of survey definitions in the chosen language.

UI strings are written in Japanese in the source (the service's default language) and go
through Flask-Babel; catalogues translate them into the other languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, g, request

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


def html_lang(code: str) -> str:
    """The BCP 47 tag for the ``lang`` attribute (やさしい日本語 is Japanese)."""
    return "ja" if code == "ja-easy" else code


def current_language() -> str:
    """The language of this request: explicit choice (cookie) → link default → browser → ja."""
    cached = g.get("language")
    if cached:
        return str(cached)
    choice = request.cookies.get(LANGUAGE_COOKIE)
    if choice not in LANGUAGE_NAMES:
        choice = g.get("link_language")
    if choice not in LANGUAGE_NAMES:
        choice = _from_accept_language()
    g.language = choice
    return str(choice)


def _from_accept_language() -> str:
    tags = {code.lower(): code for code in LANGUAGE_NAMES if code != "ja-easy"}
    tags.update({"pt": "pt-BR", "zh": "zh-Hans", "zh-cn": "zh-Hans", "fil": "tl"})
    for value, _quality in request.accept_languages:
        value = value.lower()
        if value in tags:
            return tags[value]
        base = value.split("-")[0]
        if base in tags:
            return tags[base]
    return DEFAULT_LANGUAGE


def babel_locale() -> str:
    """Locale selector for Flask-Babel."""
    try:
        code = current_language()
    except RuntimeError:  # outside a request (CLI)
        return DEFAULT_LANGUAGE
    return {"ja-easy": "ja", "pt-BR": "pt_BR", "zh-Hans": "zh_Hans"}.get(code, code)


def localized(texts: Mapping[str, str], language: str | None = None) -> tuple[str, str]:
    """The text in the language (falling back to Japanese) and the language it is in."""
    language = language or current_language()
    if texts.get(language):
        return texts[language], language
    if language == "ja-easy" and texts.get("ja"):
        return texts["ja"], "ja"
    return texts[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE


def available_languages() -> list[tuple[str, str]]:
    """(code, name in itself) for the switcher."""
    configured = current_app.config.get("LANGUAGES_OFFERED") or list(LANGUAGE_NAMES)
    return [(code, LANGUAGE_NAMES[code]) for code in configured]
