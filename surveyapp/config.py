"""Settings: defaults, then ``instance/config.py``, then ``SURVEYAPP_*`` environment variables.

Every setting is declared once in :data:`SETTINGS` with its type.  Anything unknown or malformed
stops the start with a :class:`ConfigError` that names the setting, so a typo never falls back
silently to a default.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "SURVEYAPP_"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SQLITE_FILE = "surveyapp.sqlite3"


class ConfigError(RuntimeError):
    """A setting is unknown or has a value of the wrong form."""


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected one of true/false, yes/no, on/off, 1/0")


def _parse_positive_int(raw: str) -> int:
    value = int(raw.strip())
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _parse_proxy_count(raw: str) -> int:
    value = int(raw.strip())
    if not 0 <= value <= 5:
        raise ValueError("expected a whole number from 0 to 5")
    return value


def _parse_text(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _parse_database_url(raw: str) -> str:
    value = _parse_text(raw)
    if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise ValueError("expected a sqlite:/// or postgresql:// URL")
    if value.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        value = "postgresql+psycopg://" + value[len("postgresql://"):]
    return value


def _parse_url(raw: str) -> str:
    from .surveys.format.schema import WEB_URL_RE  # only when the setting is given

    value = _parse_text(raw)
    if not WEB_URL_RE.fullmatch(value):
        raise ValueError("expected an http:// or https:// URL")
    return value


def _parse_base_url(raw: str) -> str:
    return _parse_url(raw).rstrip("/")


def _parse_phone(raw: str) -> str:
    from .surveys.format.schema import PHONE_RE

    value = _parse_text(raw)
    if not PHONE_RE.fullmatch(value):
        raise ValueError('expected a telephone number such as "058-383-1111"')
    return value


def _parse_email(raw: str) -> str:
    from .surveys.format.schema import EMAIL_RE

    value = _parse_text(raw)
    if not EMAIL_RE.fullmatch(value):
        raise ValueError("expected an e-mail address")
    return value


def _parse_log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return value


def _parse_countdown(raw: str) -> int:
    value = _parse_positive_int(raw)
    if value < 20:
        raise ValueError("the kiosk countdown must give at least 20 seconds")
    return value


def _parse_thanks(raw: str) -> int:
    value = _parse_positive_int(raw)
    if value > 15:
        raise ValueError("the kiosk thank-you screen must return within 15 seconds")
    return value


def _parse_rate_limits(raw: str) -> str:
    """A rate-limit string of the ``limits`` library (``"20 per minute; 200 per hour"``), checked."""
    from limits import parse_many

    value = _parse_text(raw)
    try:
        parse_many(value)
    except ValueError:
        raise ValueError('expected limits like "20 per minute; 200 per hour"') from None
    return value


def _parse_flag_windows(raw: str) -> str:
    """Rate-limit notation whose windows fit the one-day life of the source table."""
    from limits import parse_many

    value = _parse_rate_limits(raw)
    if any(item.get_expiry() > 24 * 3600 for item in parse_many(value)):
        raise ValueError("a window can be at most one day (sources are kept one day)")
    return value


def _parse_storage_uri(raw: str) -> str:
    value = _parse_text(raw)
    schemes = ("memory://", "redis://", "rediss://", "redis+unix://", "redis+sentinel://",
               "redis+cluster://", "memcached://")
    if not value.startswith(schemes):
        raise ValueError("expected memory://, redis://… or memcached://…")
    return value


def _parse_seconds(raw: str) -> float:
    value = float(raw.strip())
    if not 0 <= value <= 60:
        raise ValueError("expected a number of seconds from 0 to 60")
    return value


def _parse_time_minutes(raw: str) -> int:
    value = int(raw.strip())
    if value not in RESPONSE_TIME_MINUTES_CHOICES:
        raise ValueError("expected one of " + ", ".join(map(str, RESPONSE_TIME_MINUTES_CHOICES)))
    return value


RESPONSE_TIME_MINUTES_CHOICES = (1, 5, 10, 15, 30, 60)  # divide an hour: a Japanese day stays whole


@dataclass(frozen=True)
class Setting:
    parse: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: Mapping[str, Setting] = {
    "SECRET_KEY": Setting(_parse_text, None, "signing key; generated into the instance folder if unset"),
    "DATABASE_URL": Setting(_parse_database_url, None, "SQLAlchemy URL; SQLite in instance/ if unset"),
    "BASE_URL": Setting(_parse_base_url, None, "public URL used in printed links and QR codes"),
    "MAX_CONTENT_LENGTH": Setting(_parse_positive_int, 256 * 1024, "largest request body in bytes"),
    "SESSION_COOKIE_SECURE": Setting(_parse_bool, False, "send cookies over HTTPS only"),
    "CSRF_TIME_LIMIT": Setting(_parse_positive_int, 8 * 3600, "seconds a form's CSRF token stays valid"),
    "LOG_LEVEL": Setting(_parse_log_level, "INFO", "log level"),
    "PROXY_FIX_X_FOR": Setting(_parse_proxy_count, 0,
                               "number of trusted proxies in front of the app whose "
                               "X-Forwarded-For/-Proto/-Host headers are believed (0: none)"),
    "SESSION_IDLE_MINUTES": Setting(_parse_positive_int, 30,
                                    "staff: minutes without a request before a login ends"),
    "SESSION_MAX_HOURS": Setting(_parse_positive_int, 12, "staff: hours after which a login ends in any case"),
    "LOGIN_FREE_FAILURES": Setting(_parse_positive_int, 5,
                                   "staff: wrong passwords on one account before each try must wait"),
    "LOGIN_SOURCE_FREE_FAILURES": Setting(_parse_positive_int, 20,
                                          "staff: wrong passwords from one address (any account) "
                                          "before each try must wait"),
    "LOGIN_MAX_DELAY_SECONDS": Setting(_parse_positive_int, 900,
                                       "staff: longest wait between two tries after wrong passwords"),
    "PASSWORD_RESET_HOURS": Setting(_parse_positive_int, 24,
                                    "staff: hours a one-time password reset code stays valid"),
    "CONTACT_NAME": Setting(_parse_text, None,
                            "who answers residents' questions, shown on respondent pages and posters"),
    "CONTACT_PHONE": Setting(_parse_phone, None, "telephone number of that contact"),
    "CONTACT_EMAIL": Setting(_parse_email, None, "e-mail address of that contact"),
    "CONTACT_URL": Setting(_parse_url, None, "web page of that contact (e.g. an inquiry form)"),
    "PRIVACY_POLICY_URL": Setting(_parse_url, None,
                                  "the privacy policy linked from respondent pages"),
    "KIOSK_IDLE_SECONDS": Setting(_parse_positive_int, 60, "kiosk: idle seconds before the warning"),
    "KIOSK_COUNTDOWN_SECONDS": Setting(_parse_countdown, 30,
                                       "kiosk: countdown of the idle warning (at least 20)"),
    "KIOSK_THANKS_SECONDS": Setting(_parse_thanks, 10,
                                    "kiosk: seconds before the thank-you screen returns (at most 15)"),
    "KIOSK_RETRY_MAX_SECONDS": Setting(_parse_positive_int, 300,
                                       "kiosk: longest wait between two delivery attempts"),
    "RATE_LIMIT_ENABLED": Setting(_parse_bool, True, "refuse requests over the rate limits (429)"),
    "RATE_LIMIT_STORAGE_URI": Setting(_parse_storage_uri, "memory://",
                                      "where rate-limit counters live; memory:// is per worker "
                                      "process, redis://… or memcached://… is shared"),
    "RATE_LIMIT_START": Setting(_parse_rate_limits, "20 per minute; 300 per hour",
                                "surveys started from one address"),
    "RATE_LIMIT_ANSWER": Setting(_parse_rate_limits, "120 per minute; 3000 per hour",
                                 "answer pages sent from one address"),
    "RATE_LIMIT_KIOSK": Setting(_parse_rate_limits, "60 per minute; 1000 per hour",
                                "responses delivered by one kiosk device"),
    "FLAG_MIN_SECONDS_PER_QUESTION": Setting(
        _parse_seconds, 1.0, "flag a response completed faster than this per question (0: off)"),
    "FLAG_BURST": Setting(_parse_flag_windows, "5 per 10 minutes; 30 per day",
                          "flag responses from one address beyond these counts"),
    "FLAG_SESSION_MAX": Setting(_parse_positive_int, 3,
                                "flag responses from one browser session beyond this many"),
    "RESPONSE_TIME_MINUTES": Setting(_parse_time_minutes, 1,
                                     "store response times rounded down to this many minutes"),
    "DOWNLOAD_JOB_MIN_RESPONSES": Setting(_parse_positive_int, 20_000,
                                          "raw downloads of more responses are made in the background"),
    "DOWNLOAD_KEEP_HOURS": Setting(_parse_positive_int, 24,
                                   "hours a file made in the background is kept for its requester"),
}


def default_config(instance_path: str) -> dict[str, Any]:
    """Return the defaults for every declared setting."""
    config = {name: setting.default for name, setting in SETTINGS.items()}
    config["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / SQLITE_FILE)
    return config


def instance_config(instance_path: str) -> dict[str, Any]:
    """Read ``instance/config.py`` (if present) and reject names we do not know."""
    path = Path(instance_path) / "config.py"
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {"__file__": str(path)}
    code = compile(path.read_bytes(), str(path), "exec")
    exec(code, namespace)  # noqa: S102 - the operator's own configuration file
    values: dict[str, Any] = {}
    for name, value in namespace.items():
        if not name.isupper():
            continue
        if name not in SETTINGS:
            raise ConfigError(f"{path.name}: unknown setting {name!r}; known: {', '.join(SETTINGS)}")
        try:
            # Numbers and booleans go through the same checks as text (a countdown of 5 s or a
            # response time of 7 minutes is refused here as in the environment).
            values[name] = SETTINGS[name].parse(str(value))
        except ValueError as exc:
            raise ConfigError(f"{path.name}: setting {name} is malformed: {exc}") from None
    return values


def environment_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every ``SURVEYAPP_*`` variable; unknown names or bad values raise ConfigError."""
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):]
        if name not in SETTINGS:
            raise ConfigError(f"unknown setting {key}; known: "
                              + ", ".join(ENV_PREFIX + n for n in SETTINGS))
        try:
            values[name] = SETTINGS[name].parse(raw)
        except ValueError as exc:
            raise ConfigError(f"setting {key} is malformed: {exc}") from None
    return values


def ensure_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, creating it (mode 600) on first run."""
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise ConfigError(f"{SECRET_KEY_FILE} in the instance folder is too short") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def load_config(instance_path: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Defaults → instance/config.py → environment; returns Flask config values."""
    config = default_config(instance_path)
    config.update(instance_config(instance_path))
    config.update(environment_config(environ))
    return config
