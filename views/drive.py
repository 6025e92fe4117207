"""Google Drive exports from the web page and the command line: the client, the upload, the note.

The client comes from ``services.get_drive_client``; a setting that is missing or wrong is
reported on each attempt until it is fixed.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, flash
from markupsafe import Markup

from exporters import FORMATS
from exporters.drive_publish import DriveExport, export_to_drive
from exporters.gdrive import is_configured
from reports.model import CLIENT_COPY
from services import get_drive_client, get_exports, get_store


def is_drive_only(fmt: str) -> bool:
    """A format that has no local file and goes only to Drive (the Google Doc)."""
    return getattr(FORMATS.get(fmt), "destination", "local") == "drive"


def drive_configured() -> bool:
    return is_configured(current_app.config)


def export_saved_to_drive(report_id: int, fmt: str, *, pdf: bytes | None = None,
                          version: int | None = None,
                          copy: str = CLIENT_COPY) -> DriveExport | None:
    """Send the saved report (its client or internal ``copy``) to Drive; None when there is no
    such report.

    For a PDF, ``pdf`` holds the bytes already written to the local folder and ``version`` the
    report version they were made from, so both copies are recorded as the same version.
    """
    stored = get_store().get(report_id)
    if stored is None:
        return None
    if version is not None:
        stored = replace(stored, version=version)
    done = export_to_drive(stored, fmt, get_exports(), get_drive_client, pdf=pdf, copy=copy)
    if not done.ok:
        current_app.logger.warning("Drive export of report %s as %s failed: %s (%s)",
                                   report_id, fmt, done.error and done.error.kind,
                                   done.error and done.error.__cause__)
    return done


def flash_drive(done: DriveExport) -> None:
    """The outcome on the next page: the file's link, or what went wrong and what to do."""
    if done.file is None:
        flash(done.notice, "error")
        return
    flash(Markup('{} <a href="{}">Open “{}” in Google Drive</a>.')
          .format(done.notice, done.file.link, done.file.name or "the file"))
