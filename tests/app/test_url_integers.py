"""Out-of-range integers in any URL are "not found", never a 500: one app-wide converter."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from surveyapp.inputs import DB_INT_MAX
from surveyapp.web import digits_up_to
from tests.conftest import link_code, login

OUT_OF_RANGE = ["9223372036854775808", "18446744073709551616", str(10**30), str(DB_INT_MAX + 1), "-1"]
OTHER_ARGS = {"key": "digital-services", "kpi": "digital_satisfaction_rate", "code": "zzzzzzzz", "lang": "ja"}


def _integer_routes(app: Flask) -> list[tuple[str, str, dict[str, str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        integers = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not integers:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method, {n: OTHER_ARGS.get(n, "") for n in rule.arguments
                                               if n not in integers}))
    return routes


def _url(rule: str, args: dict[str, str], number: str) -> str:
    url = rule
    for name, value in args.items():
        url = url.replace(f"<{name}>", value)
    while "<int:" in url:
        start = url.index("<int:")
        url = url[:start] + number + url[url.index(">", start) + 1:]
    return url


def test_every_integer_route_is_bounded(app: Flask) -> None:
    routes = _integer_routes(app)
    assert len(routes) >= 10
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert converter.max == DB_INT_MAX, rule.rule


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_out_of_range_ids_are_404_on_every_route(app: Flask, number: str) -> None:
    client = app.test_client()
    login(client, app, "admin")
    OTHER_ARGS["code"] = link_code(app, "counter")
    for rule, method, args in _integer_routes(app):
        response = client.open(_url(rule, args, number), method=method)
        assert response.status_code == 404, (rule, method, number, response.status_code)


def test_the_largest_id_is_an_ordinary_not_found(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    for path in ("/staff/courses/2147483647", "/staff/courses/sessions/2147483647/qr.svg",
                 "/staff/accounts/2147483647"):
        assert client.get(path).status_code == 404, path
    for path in ("/staff/courses/2147483647/active", "/staff/kiosks/2147483647/revoke"):
        assert client.post(path).status_code == 404, path


@settings(deadline=None)  # a regular expression compiles per example; the machine may be busy
@given(limit=st.integers(min_value=0, max_value=10**12), number=st.integers(min_value=0, max_value=10**13))
def test_the_route_pattern_matches_exactly_the_numbers_up_to_the_limit(limit: int, number: int) -> None:
    pattern = re.compile(digits_up_to(limit) + r"\Z")
    assert bool(pattern.match(str(number))) == (number <= limit)
    assert pattern.match("00" + str(min(number, limit)))
