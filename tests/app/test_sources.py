"""The client source: a keyed hash of the address, never the address; proxies only when trusted."""

from __future__ import annotations

from typing import Any

from flask import Flask

from surveyapp.sources import source_hash


def _seen_source(app: Flask, **environ: Any) -> str:
    seen: list[str] = []

    @app.get("/_test_source")
    def _probe() -> str:
        seen.append(source_hash())
        return "ok"

    app.test_client().get("/_test_source", environ_base=environ.pop("environ_base", {}), **environ)
    return seen[0]


def test_the_hash_hides_the_address_and_depends_on_the_secret(app_factory: Any) -> None:
    one, two = app_factory(), app_factory(SECRET_KEY="another-secret-" + "y" * 32)
    with one.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        first = source_hash()
        assert "203.0.113.7" not in first and len(first) == 32
        assert source_hash("203.0.113.8") != first
    with two.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        assert source_hash() != first


def test_forwarded_header_is_ignored_unless_a_proxy_is_trusted(app_factory: Any) -> None:
    header = {"X-Forwarded-For": "198.51.100.1"}
    direct = app_factory()
    behind_proxy = app_factory(PROXY_FIX_X_FOR=1)
    with direct.test_request_context():
        client_hash, proxy_hash = source_hash("198.51.100.1"), source_hash("10.0.0.1")
    peer = {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
    assert _seen_source(direct, headers=header, **peer) == proxy_hash
    assert _seen_source(behind_proxy, headers=header, **peer) == client_hash
