"""Entry point for gunicorn (``gunicorn wsgi:app``) and for commands (``flask --app wsgi …``)."""

import os

from surveyapp import create_app

app = create_app()
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # set by the ``flask`` command
    # Served by gunicorn (or another WSGI server): register the views (which binds the
    # database) now rather than during a worker's first request, and connect once, so that a
    # misconfigured database stops the worker at its start. A command serves no request and
    # leaves both until it needs them.
    app.load_views()
    from surveyapp.extensions import connect_once

    connect_once(app)
