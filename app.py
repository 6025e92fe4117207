"""Hindsight: the app factory.

Configuration comes from ``HINDSIGHT_*`` environment variables (see README), or from the mapping
given to ``create_app`` (tests). Everything else lives in blueprints under ``views/``, the domain
in ``reports/``, the export formats and destinations in ``exporters/``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import make_url
from werkzeug.routing import IntegerConverter

import logs
from accounts.roles import AUTH_MODES, ROLES
from cli import register_cli
from reports import limits
from services import init_services
from views import (
    api,
    attachments,
    auth,
    drive_connect,
    editor,
    errors,
    examples,
    exports,
    follow_up,
    guidance,
    history,
    hosts,
    language,
    library,
    live,
    proxies,
    review,
    security,
    settings,
    timeline_import,
    turns,
    workflow,
)

csrf = CSRFProtect()

ENV_SETTINGS = {
    "DATABASE_URL": "HINDSIGHT_DATABASE_URL",
    "SHARED_FOLDER": "HINDSIGHT_SHARED_FOLDER",
    "DRIVE_FOLDER_ID": "HINDSIGHT_DRIVE_FOLDER_ID",
    "GOOGLE_CREDENTIALS": "HINDSIGHT_GOOGLE_CREDENTIALS",
    "DRIVE_API_ENDPOINT": "HINDSIGHT_DRIVE_API_ENDPOINT",
    "DRIVE_SUBJECT": "HINDSIGHT_DRIVE_SUBJECT",
    "GOOGLE_OAUTH_CLIENT": "HINDSIGHT_GOOGLE_OAUTH_CLIENT",
    "DRIVE_SCOPE": "HINDSIGHT_DRIVE_SCOPE",
    "SECRET_KEY": "HINDSIGHT_SECRET_KEY",
    "AUTH": "HINDSIGHT_AUTH",
    "AUTH_HEADER": "HINDSIGHT_AUTH_HEADER",
    "TRUSTED_PROXIES": "HINDSIGHT_TRUSTED_PROXIES",
    "DEFAULT_ROLE": "HINDSIGHT_DEFAULT_ROLE",
    "SESSION_HOURS": "HINDSIGHT_SESSION_HOURS",
    "COOKIE_SECURE": "HINDSIGHT_COOKIE_SECURE",
    "LOG_FORMAT": "HINDSIGHT_LOG_FORMAT",
    "DRIVE_TIMEOUT": "HINDSIGHT_DRIVE_TIMEOUT",
    "DRIVE_RETRIES": "HINDSIGHT_DRIVE_RETRIES",
    "DRIVE_DEADLINE": "HINDSIGHT_DRIVE_DEADLINE",
    "SERVER_NAMES": "HINDSIGHT_SERVER_NAMES",
    "BASE_URL": "HINDSIGHT_BASE_URL",
    "EXPORT_WORKERS": "HINDSIGHT_EXPORT_WORKERS",
    "EXPORT_LIMIT": "HINDSIGHT_EXPORT_LIMIT",
    "PAGES_AT_ONCE": "HINDSIGHT_PAGES_AT_ONCE",
    "MAX_ATTACHMENT_MB": "HINDSIGHT_MAX_ATTACHMENT_MB",
    "MAX_REPORT_ATTACHMENTS_MB": "HINDSIGHT_MAX_REPORT_ATTACHMENTS_MB",
    "LANGUAGE": "HINDSIGHT_LANGUAGE",
}


def _secret_key(instance: Path) -> str:
    """A key made once and kept in the instance folder, so sessions survive restarts.

    Workers starting together on a new instance must all end up with the same key: each
    writes a key of its own to a private file, the first to link it in place wins, and every
    one reads back the winner's (never a half-written file).
    """
    key_file = instance / "secret_key"
    if not key_file.exists():
        draft = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process was first
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def _require_shared_secret(app: Flask) -> None:
    """With sign-in on and PostgreSQL, the key must be given, not made here.

    Several instances (on several machines) may share a PostgreSQL database, and each must sign
    and check sessions, form tokens and stored Drive tokens with the same key; a key made in one
    instance's own folder would differ on every machine, and people would be signed out at every
    request that reaches another instance.
    """
    config = app.config
    if config.get("SECRET_KEY") or app.testing:
        return
    signing_in = str(config["AUTH"]).strip().lower() != "none"
    shared = make_url(str(config["DATABASE_URL"])).get_backend_name() == "postgresql"
    if signing_in and shared:
        raise RuntimeError(
            "HINDSIGHT_SECRET_KEY is not set. With sign-in on and a PostgreSQL database, every "
            "instance of the app must use the same secret key, or a person signed in on one "
            "instance is signed out on the next. Make one key (for example with: python3 -c "
            "'import secrets; print(secrets.token_urlsafe(48))'), keep it safe, and give the "
            "same HINDSIGHT_SECRET_KEY to every instance (docs/deploy.md).")


def _check_shared_folder(app: Flask) -> None:
    """Fail at start-up, saying why, when the shared folder cannot be written."""
    folder = Path(str(app.config["SHARED_FOLDER"]))
    probe = folder / f".hindsight-write-check.{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise RuntimeError(
            f"HINDSIGHT_SHARED_FOLDER: Hindsight cannot write to the shared folder {folder} "
            f"({error.strerror or error}). Exports are written there: let the user the app runs "
            "as write to it (and, for a network share, check that it is mounted), or set "
            "HINDSIGHT_SHARED_FOLDER to a folder it may write to.") from error


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a number the database's id column can hold, else a 404."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL's integer
        super().__init__(url_map, *args, **kwargs)


def _settle_auth_config(app: Flask) -> None:
    """Check the sign-in settings once, at start-up, and fail loudly when they are wrong."""
    config = app.config
    config["AUTH"] = str(config["AUTH"]).strip().lower()
    if config["AUTH"] not in AUTH_MODES:
        raise RuntimeError(f"HINDSIGHT_AUTH must be one of {', '.join(AUTH_MODES)}")
    if config["DEFAULT_ROLE"] not in ROLES:
        raise RuntimeError(f"HINDSIGHT_DEFAULT_ROLE must be one of {', '.join(ROLES)}")
    proxies = config["TRUSTED_PROXIES"]
    if isinstance(proxies, str):
        config["TRUSTED_PROXIES"] = {p.strip() for p in proxies.split(",") if p.strip()}
    config["SESSION_HOURS"] = float(config["SESSION_HOURS"])
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_HOURS"])
    secure = config["COOKIE_SECURE"]
    if secure is None:  # on by default wherever people sign in (behind HTTPS)
        secure = config["AUTH"] != "none"
    elif isinstance(secure, str):
        secure = secure.strip().lower() not in ("0", "false", "no", "off")
    config["SESSION_COOKIE_SECURE"] = bool(secure)
    if config["AUTH"] == "none":
        app.logger.warning(
            "Sign-in is off (HINDSIGHT_AUTH=none): only connections from this computer "
            "are answered."
        )


# The project folder's .env file: HINDSIGHT_* settings for this installation (README).
DOTENV_PATH = Path(__file__).resolve().parent / ".env"
ENV_PREFIX = "HINDSIGHT_"


def load_dotenv_settings(path: Path | None = None) -> dict[str, str]:
    """Put the ``HINDSIGHT_*`` settings of a .env file (the project's by default) into the
    environment, where they are not set already (a real environment variable wins); any other
    name in the file is ignored.

    Returns what was taken from the file. No file, no change.
    """
    path = path or DOTENV_PATH
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    taken = {
        name: value for name, value in dotenv_values(path, interpolate=False).items()
        if name.startswith(ENV_PREFIX) and value is not None and name not in os.environ
    }
    os.environ.update(taken)
    return taken


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app. Settings: ``config`` (tests), then ``HINDSIGHT_*`` environment variables, then
    the project's .env file for those not in the environment (``load_dotenv_settings``). With
    a ``config`` mapping (the tests) the .env file is not read: a developer's own settings
    never change what the tests see."""
    if config is None:
        load_dotenv_settings()
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "HINDSIGHT_INSTANCE_PATH"
    )
    # Absolute links name BASE_URL, never the request's Host (views/hosts.py).
    app = hosts.HindsightFlask(__name__, instance_path=instance_path,
                               instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    app.config.update(
        DATABASE_URL=f"sqlite:///{instance / 'hindsight.sqlite3'}",
        SHARED_FOLDER=str(instance / "shared-reports"),
        DRIVE_FOLDER_ID=None,
        GOOGLE_CREDENTIALS=None,
        DRIVE_API_ENDPOINT=None,
        DRIVE_SUBJECT=None,  # act for this person (domain-wide delegation)
        GOOGLE_OAUTH_CLIENT=None,  # an OAuth web client file, for "Connect Google Drive"
        DRIVE_SCOPE="drive.file",  # or "drive", to use a folder someone else made
        MAX_CONTENT_LENGTH=limits.MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=limits.MAX_FORM_PARTS,  # inputs in one save of the page
        WTF_CSRF_TIME_LIMIT=None,  # a page left open all day must still save
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        AUTH="none",
        AUTH_HEADER="X-Forwarded-User",
        TRUSTED_PROXIES="",
        DEFAULT_ROLE="viewer",
        SESSION_HOURS=8,
        COOKIE_SECURE=None,
        LOG_FORMAT="text",
        SERVER_NAMES="",  # answered besides localhost, 127.0.0.1 and [::1]; see views/hosts.py
        BASE_URL=None,  # default: http://localhost:5000, or made from the first server name
        MAX_ATTACHMENT_MB=10,  # a file added to a report (docs/attachments.md)
        MAX_REPORT_ATTACHMENTS_MB=50,  # all of one report's files
        EXPORT_WORKERS=2,  # export threads in each app process (services.py)
        EXPORT_LIMIT=2,  # exports running at once over every process on the database
        PAGES_AT_ONCE=None,  # pages drawn at once on the machine; None: one a core (views/turns.py)
        EXPORT_INLINE=None,  # run each export where it is asked for; None: only in tests
        LANGUAGE="en",  # the shared folder's index, written for everyone (docs/languages.md)
    )
    for setting, variable in ENV_SETTINGS.items():
        if os.environ.get(variable):
            app.config[setting] = os.environ[variable]
    if config:
        app.config.update(config)
    _require_shared_secret(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    logs.configure(app, app.config["LOG_FORMAT"])
    _settle_auth_config(app)
    proxies.register(app)
    hosts.settle(app)
    _check_shared_folder(app)

    init_services(app)

    app.url_map.converters["int"] = DatabaseId
    hosts.register(app)  # first: a request for another host name meets no other check
    attachments.register_upload_limit(app)  # before the CSRF check reads an upload's body
    csrf.init_app(app)


    for blueprint in (editor.bp, exports.bp, api.bp, guidance.bp, workflow.bp, history.bp,
                      library.bp, settings.bp, review.bp, follow_up.bp, examples.bp,
                      drive_connect.bp, attachments.bp, attachments.api_bp,
                      timeline_import.bp, timeline_import.api_bp, live.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # JSON-only writes, guarded in views/api.py; see there why
    csrf.exempt(attachments.api_bp)  # uploads need X-Requested-With; views/attachments.py
    csrf.exempt(timeline_import.api_bp)  # JSON only, guarded as views/api.py's routes
    language.register(app)  # Flask-Babel: the pages' language (docs/languages.md)
    errors.register(app)
    auth.register(app)
    security.register(app)
    turns.register(app)  # last: a refused request never waits for a turn

    register_cli(app)
    return app

