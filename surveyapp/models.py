"""Every module that defines tables, for where all of them must be known at once: Alembic's
autogenerate (``flask db migrate``, ``flask db check``) compares them with the database.

Elsewhere each module imports the models it uses; a command does not import them all.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "surveyapp.audit",
    "surveyapp.auth.models",
    "surveyapp.exports.jobs",
    "surveyapp.invitations.models",
    "surveyapp.kiosk.models",
    "surveyapp.paper.models",
    "surveyapp.respond.models",
    "surveyapp.results.population",
    "surveyapp.screening.models",
    "surveyapp.surveys.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
