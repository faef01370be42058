"""Start-up without the cyclic garbage collector's passes over what is being imported.

Importing the app, SQLAlchemy, the models and the views makes about 150,000 objects (modules,
classes, functions, tables) that live as long as the process and are almost never garbage.
While they are being made, the collector runs over and over, and each of its full passes walks
everything made so far: about a tenth of a command's start-up. The app is built, its database
extension made, its models imported and its views registered with the collector paused.

The processes that run the app (``wsgi.py``: gunicorn's workers and the ``flask`` commands) also
move everything made at start-up out of the collector's way for good (:func:`keep_started`):
later passes, during requests, then walk only what the requests make, and the interpreter's
clean-up at exit, which walked all of it again (0.15–0.2 s of a command), has little left to do.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .deferred import SurveyFlask

_keep = False  # set by keep_started(): what each later import makes is kept out of the passes too


@contextmanager
def importing() -> Iterator[None]:
    """Pause the collector while the block imports or builds (nothing to do when it is paused
    already, e.g. by an enclosing block)."""
    if not gc.isenabled():  # paused already (an enclosing block), or by the host process
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _keep:
            gc.freeze()
        gc.enable()


def keep_started() -> None:
    """Everything this process has made so far (and what each later :func:`importing` block
    makes) is never walked by the collector again. For the process that serves or runs the app,
    not for one that builds many apps (the tests)."""
    global _keep
    _keep = True
    gc.freeze()


def prepare_to_serve(app: SurveyFlask) -> None:
    """For a process that serves requests: register the views (which binds the database) now
    rather than during the first request, connect once, so that a misconfigured database stops
    it at its start, and set up the ORM's classes, then keep all of it out of the collector's
    passes. A command serves no request and leaves these until it needs them."""
    from sqlalchemy.orm import configure_mappers

    from .extensions import connect_once

    app.load_views()
    connect_once(app)
    with importing():
        configure_mappers()
    keep_started()
