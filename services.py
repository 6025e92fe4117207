"""The app's services, reached from any view or command while the app runs.

As in the Flask tutorial's ``db.py``: ``create_app`` builds them once with ``init_services``
and keeps them in ``app.extensions``; everything else asks for them here. This module imports no
view and not ``app``, so the import graph has no loop.
"""

from __future__ import annotations

from flask import Flask, current_app

from accounts.ratelimit import FailureLimit
from accounts.users import UserStore
from exporters.folder import SharedFolder
from exporters.gdrive import DriveClient, is_configured
from exporters.service import ExportOutcome, export_report
from reports.comments import CommentStore
from reports.exports_log import ExportLog
from reports.migrate import upgrade
from reports.model import CLIENT_COPY
from reports.store import ReportStore, make_engine

STORE = "hindsight.store"
EXPORTS = "hindsight.exports"
USERS = "hindsight.users"
LOGIN_FAILURES = "hindsight.login_failures"
DRIVE = "hindsight.drive"


def init_services(app: Flask) -> None:
    """Connect to the database named in the configuration and make each service once."""
    engine = make_engine(app.config["DATABASE_URL"])
    upgrade(engine)
    store = ReportStore(engine)
    store.refresh_statistics()
    app.extensions[STORE] = store
    app.extensions[EXPORTS] = ExportLog(engine)
    app.extensions[USERS] = UserStore(engine)
    app.extensions[LOGIN_FAILURES] = FailureLimit(engine)


def get_store() -> ReportStore:
    return current_app.extensions[STORE]


def get_exports() -> ExportLog:
    return current_app.extensions[EXPORTS]


def get_users() -> UserStore:
    return current_app.extensions[USERS]


def get_login_failures() -> FailureLimit:
    return current_app.extensions[LOGIN_FAILURES]


def get_comments() -> CommentStore:
    return CommentStore(get_store().engine)


def get_drive_client() -> DriveClient:
    """The app's Drive client, made from the settings on first use and kept, so its access
    token is reused; raises ``DriveError`` while the settings do not allow one."""
    client = current_app.extensions.get(DRIVE)
    if client is None:
        client = DriveClient.from_config(current_app.config)
        current_app.extensions[DRIVE] = client
    return client


def shared_folder() -> SharedFolder:
    return SharedFolder(current_app.config["SHARED_FOLDER"])


def export_saved_report(report_id: int, fmt: str, copy: str = CLIENT_COPY
                        ) -> ExportOutcome | None:
    """Export the saved report with this app's folder, log and Drive; None: no such report."""
    stored = get_store().get(report_id)
    if stored is None:
        return None
    outcome = export_report(
        stored, fmt, copy=copy, folder=shared_folder(), log=get_exports(), store=get_store(),
        connect=get_drive_client, drive_set_up=is_configured(current_app.config),
    )
    if outcome.failure is not None:
        current_app.logger.error("Export of report %s as %s failed: %s", report_id, fmt,
                                 outcome.failure.__cause__)
    if outcome.drive is not None and outcome.drive.error is not None:
        current_app.logger.warning("Drive export of report %s as %s failed: %s (%s)",
                                   report_id, fmt, outcome.drive.error.kind,
                                   outcome.drive.error.__cause__)
    return outcome


def forget_drive_client() -> None:
    """Make the next export read the Drive settings and key file again."""
    current_app.extensions.pop(DRIVE, None)
