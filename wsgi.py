"""Entry point for gunicorn (``gunicorn wsgi:app``) and for commands (``flask --app wsgi …``)."""

import os

from surveyapp import create_app

app = create_app()
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # set by the ``flask`` command
    # Served by gunicorn (or another WSGI server): register the views now rather than during a
    # worker's first request. A command serves no request and leaves them until it needs them.
    app.load_views()
