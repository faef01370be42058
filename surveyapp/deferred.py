"""Parts of the app that a ``flask`` command seldom needs, set up at their first use.

Importing every blueprint's views (and through them the services, forms, results and export
modules) took longer than the rest of start-up, and a command such as ``flask staff list``
serves no request. So the views are registered when the app first needs its URL map: the first
request (or test request context), ``url_for`` outside a request, ``flask routes``, or anything
else that reads ``app.url_map`` or ``app.view_functions``. Flask-Migrate (which imports Alembic
and Mako) is set up when a ``flask db`` command runs or when its functions (``upgrade()``…) look
up ``app.extensions["migrate"]``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from werkzeug.routing import Map

from .assets import HashedStaticFlask
from .startup import importing


class SurveyFlask(HashedStaticFlask):
    """The app: views registered by :meth:`defer_views`'s loader when they are first needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._views_loader: Callable[[Flask], None] | None = None
        self._views_lock = threading.RLock()
        self._views_loaded = False
        super().__init__(*args, **kwargs)

    def defer_views(self, loader: Callable[[Flask], None]) -> None:
        """Call ``loader(app)`` (which registers the blueprints) when the URL map is first used."""
        self._views_loader = loader
        self._views_loaded = False

    @property
    def views_pending(self) -> bool:
        """Whether the deferred views are still to be registered."""
        return not self._views_loaded and self._views_loader is not None

    def load_views(self) -> None:
        """Register the deferred views now (at most once). Another thread that needs the URL map
        meanwhile waits on the lock until every view is registered, never sees half of them."""
        if self._views_loaded:
            return
        with self._views_lock:
            if self._views_loaded:
                return
            loader, self._views_loader = self._views_loader, None
            if loader is None:  # no views deferred, or this thread is registering them right now
                return
            with importing():
                loader(self)
            self._views_loaded = True

    @property
    def url_map(self) -> Map:
        self.load_views()
        return self._url_map

    @url_map.setter
    def url_map(self, value: Map) -> None:
        self._url_map = value

    @property
    def view_functions(self) -> dict[str, Callable[..., Any]]:
        self.load_views()
        return self._view_functions

    @view_functions.setter
    def view_functions(self, value: dict[str, Callable[..., Any]]) -> None:
        self._view_functions = value


class LazyExtensions(dict[str, Any]):
    """``app.extensions`` where a missing entry with a loader is set up on its first lookup."""

    def __init__(self, initial: dict[str, Any], loaders: dict[str, Callable[[], None]]) -> None:
        super().__init__(initial)
        self._loaders = loaders

    def __missing__(self, key: str) -> Any:
        loader = self._loaders.pop(key, None)
        if loader is None:
            raise KeyError(key)
        loader()
        return self[key]


class DeferredGroup(click.Group):
    """A command group imported only when it runs; ``flask --help`` shows the help given here."""

    def __init__(self, name: str, load: Callable[[], click.Command], **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._load = load

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)
