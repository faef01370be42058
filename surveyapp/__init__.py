"""surveyapp: citizen surveys that turn into KPI rates with confidence intervals."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask

from .config import ensure_secret_key, load_config
from .deferred import DeferredGroup, LazyExtensions, SurveyFlask
from .inputs import CleanRequest
from .startup import importing

PRIVATE_UMASK = 0o077


def create_app(test_config: Mapping[str, Any] | None = None) -> SurveyFlask:
    """Build the application: configuration, extensions, blueprints, CLI — wiring only."""
    with importing():
        return _build(test_config)


def _build(test_config: Mapping[str, Any] | None) -> SurveyFlask:
    # Files this process creates (the SQLite database and its -wal/-shm, the secret key,
    # backups) are readable by the service account only.
    os.umask(PRIVATE_UMASK)
    test_config = dict(test_config or {})
    app = SurveyFlask(__name__, instance_relative_config=True,
                      instance_path=test_config.pop("INSTANCE_PATH", None))
    app.request_class = CleanRequest
    os.makedirs(app.instance_path, exist_ok=True)
    config = load_config(app.instance_path, os.environ)
    config.update(test_config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = ensure_secret_key(app.instance_path)
    app.config.update(_flask_settings(config))
    logging.getLogger("surveyapp").setLevel(config["LOG_LEVEL"])

    _trust_proxies(app, int(config["PROXY_FIX_X_FOR"]))
    _register_extensions(app)
    from .web import register_url_converters, register_web_hooks

    register_url_converters(app)  # before any route is added
    # A command serves no request: the views are imported when the URL map is first needed.
    app.defer_views(_register_blueprints)
    register_web_hooks(app)
    from .auth.sessions import init_auth

    init_auth(app)
    from .cli import register_cli

    register_cli(app)
    return app


def _trust_proxies(app: Flask, count: int) -> None:
    """Believe the forwarding headers of ``count`` proxies (the client address is then the one
    the nearest trusted proxy saw); with 0, the socket's peer is the client."""
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count,  # type: ignore[method-assign]
                                x_host=count)


def _flask_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    settings = dict(config)
    settings.update({
        "SQLALCHEMY_DATABASE_URI": config["DATABASE_URL"],
        # A server connection can drop between requests (PostgreSQL restarted): test it before
        # use. An SQLite file cannot, and the test would cost a statement per transaction.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not str(config["DATABASE_URL"]).startswith("sqlite")},
        "WTF_CSRF_TIME_LIMIT": config["CSRF_TIME_LIMIT"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": config["SESSION_COOKIE_SECURE"],
        "REMEMBER_COOKIE_HTTPONLY": True,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        # Brotli where the browser accepts it, else gzip; applied by web.compress_response.
        "COMPRESS_REGISTER": False,
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,
    })
    return settings


def _register_extensions(app: SurveyFlask) -> None:
    from .extensions import babel, compress, csrf, login_manager, use_database
    from .i18n import babel_locale

    use_database(app)
    _defer_migrations(app)
    csrf.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=babel_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)


def _load_user(user_id: str) -> Any:
    from .auth.services import load_user  # the services are imported when a request needs them

    return load_user(user_id)


def _defer_migrations(app: SurveyFlask) -> None:
    """Flask-Migrate (Alembic, Mako) is set up when ``flask db …`` runs or its functions first
    look up ``app.extensions["migrate"]``."""

    def set_up() -> None:
        from flask_migrate import Migrate

        from .extensions import db
        from .models import import_all_models

        import_all_models()  # for ``db migrate`` and ``db check``
        Migrate().init_app(app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"),
                           render_as_batch=True, compare_type=True)

    def group() -> click.Command:
        app.extensions["migrate"]  # noqa: B018  (sets it up)
        from flask_migrate.cli import db as db_group

        return db_group

    app.extensions = LazyExtensions(app.extensions, {"migrate": set_up})
    app.cli.add_command(DeferredGroup("db", group, help="Perform database migrations."))


def _register_blueprints(app: Flask) -> None:
    from . import audit  # noqa: F401  (model registration)
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .invitations import models as _invitation_models  # noqa: F401  (model registration)
    from .invitations.public_views import bp as invitations_bp
    from .invitations.staff_views import bp as invitations_staff_bp
    from .kiosk.staff_views import bp as courses_bp
    from .kiosk.views import bp as kiosk_bp
    from .links.views import bp as links_bp
    from .opendata.views import bp as opendata_bp
    from .paper.views import bp as paper_bp
    from .respond.views import bp as respond_bp
    from .screening import models as _screening_models  # noqa: F401  (model registration)
    from .staff.views import bp as staff_bp

    app.register_blueprint(respond_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(invitations_staff_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(admin_bp)
    from .extensions import database

    database()  # a served app is bound to the database before its first request
    from .web import register_view_error_pages

    register_view_error_pages(app)
