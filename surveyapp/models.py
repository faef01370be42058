"""Every module that defines tables, for where all of them must be known at once: Alembic's
autogenerate (``flask db migrate``, ``flask db check``) compares them with the database.

Elsewhere each module imports the models it uses; a command does not import them all until it
uses the ORM (:func:`import_all_models_before_first_use`).
"""

from __future__ import annotations

import importlib

from .startup import importing

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
    with importing():
        for name in MODEL_MODULES:
            importlib.import_module(name)


def import_all_models_before_first_use() -> None:
    """Import every module that defines tables the first time the ORM is used (SQLAlchemy
    configures the mappers before the first query, object or flush), so that a command which
    imports only the models it uses still knows every table a foreign key names (``audit_log``'s
    user is a ``staff_users`` row: flushing an audit entry needs that table). Starting the app
    imports none of them."""
    from sqlalchemy import event
    from sqlalchemy.orm import Mapper

    if not event.contains(Mapper, "before_configured", import_all_models):
        event.listen(Mapper, "before_configured", import_all_models)
