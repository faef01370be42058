"""Entry point for gunicorn (``gunicorn wsgi:app``) and for commands (``flask --app wsgi …``)."""

import os

from surveyapp import create_app
from surveyapp.startup import keep_started, prepare_to_serve

keep_started()
app = create_app()
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # set by the ``flask`` command
    prepare_to_serve(app)  # served by gunicorn (or another WSGI server)
