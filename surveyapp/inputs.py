"""Input that may reach the database, made safe the same way on SQLite and PostgreSQL.

PostgreSQL refuses text containing NUL and cannot encode a lone UTF-16 surrogate (a JSON body
may carry ``"\\ud800"``); SQLite stores both silently.  So that a resident's answer is never
lost for an invisible character, and both databases behave alike, one rule applies everywhere:

* **Submitted text** (form fields, the kiosk's JSON answers): control characters other than
  tab, line feed and carriage return, and lone surrogates, are **removed** — they cannot be
  seen or meant, and the rest of the text is kept as typed.  Passwords are left untouched (they
  are only hashed, never stored as text), and so are the login and account forms
  (:data:`REFUSING_BLUEPRINTS`): an e-mail address or a code with a control character is
  refused there with a clear message (``auth.forms.no_control_characters``), never silently
  changed into another one.
* **Addresses** (path segments): a control character means the page does not exist → 404.
* **Query strings**: refused with a 400 page that says why, in the respondent's language.
* **Numbers used as ids** must fit the database's integer column (:data:`DB_INT_MAX`): the
  ``<int:…>`` URL converter (``web.BoundedIntConverter``) and :func:`valid_id` (ids in JSON
  bodies and forms) both stop at it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest

# C0 controls but tab/LF/CR, DEL, C1 controls, and UTF-16 surrogates (only ever lone in a str).
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

DB_INT_MAX = 2**31 - 1
"""The largest value an INTEGER column holds on every supported database (PostgreSQL's int4)."""


def has_control_characters(text: str) -> bool:
    return _UNWANTED.search(text) is not None


def without_control_characters(text: str) -> str:
    """``text`` without the characters that neither database should get (see the module note)."""
    return _UNWANTED.sub("", text)


def valid_id(value: object) -> bool:
    """A whole number (not a bool) that can be a row id on every database."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= DB_INT_MAX


REFUSING_BLUEPRINTS = frozenset({"auth", "admin"})
"""Blueprints whose forms refuse control characters themselves instead of losing them."""


def _kept_as_sent(field_name: str) -> bool:
    return "password" in field_name.lower()


class ControlCharacters(BadRequest):
    """A query string carried control characters."""


class CleanRequest(Request):
    """Flask's request, whose submitted form text has the unwanted characters removed."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if self.blueprint in REFUSING_BLUEPRINTS:
            return
        form = self.__dict__.get("form")
        if form is None or not any(has_control_characters(key) or has_control_characters(value)
                                   for key, value in form.items(multi=True)):
            return
        cleaned: MultiDict[str, Any] = MultiDict()
        for key, value in form.items(multi=True):
            cleaned.add(without_control_characters(key),
                        value if _kept_as_sent(key) else without_control_characters(value))
        self.__dict__["form"] = ImmutableMultiDict(cleaned)


def refuse_control_characters_in_query(request: Request) -> None:
    """Raise :class:`ControlCharacters` when a query parameter name or value has one."""
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            raise ControlCharacters()


def path_has_control_characters(values: dict[str, Any] | None) -> bool:
    """True when a string taken from the URL path has a control character."""
    return any(isinstance(v, str) and has_control_characters(v) for v in (values or {}).values())
