"""The WSGI entry point the load runs serve under gunicorn: the production app (as in wsgi.py),
with its instance folder taken from ``LOAD_INSTANCE`` so a run never reads or writes the
repository's ``instance/``. Every other setting comes from ``SURVEYAPP_*`` as in production."""

import os

from surveyapp import create_app
from surveyapp.startup import keep_started, prepare_to_serve

keep_started()
app = create_app({"INSTANCE_PATH": os.environ["LOAD_INSTANCE"]})
prepare_to_serve(app)
