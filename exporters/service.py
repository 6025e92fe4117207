"""The one export flow, for the page and the command line alike.

A Google Doc goes to the Drive folder only. Any other format is written to the shared folder;
a PDF and a Word document are then put in the Drive folder too when Drive is set up, as the same
file and version (``ALSO_TO_DRIVE``). Markdown and web page files stay in the shared folder.
The shared folder's index is brought up to date either way. The outcome says what happened;
the page shows it, the command line prints it.

Every app process on the database takes turns (``reports.db_locks``) for what a race would
spoil: the shared folder (``SharedFolder.lock``), one report's file in Drive (two exports must
not both make its Doc) and the Drive folder's index Doc.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from reports.db_locks import named_lock
from reports.exports_log import ExportLog
from reports.model import CLIENT_COPY, StoredReport
from reports.store import ReportStore

from . import FORMATS
from .drive_errors import DriveError
from .drive_index import refresh_drive_index
from .drive_publish import DriveExport, export_to_drive
from .folder import SharedFolder
from .folder_index import refresh_index
from .gdrive import DriveClient, DriveFile
from .publish import ExportFailed, LocalExport, export_to_folder

log = logging.getLogger(__name__)


def is_drive_only(fmt: str) -> bool:
    """A format that has no local file and goes only to Drive (the Google Doc)."""
    return getattr(FORMATS.get(fmt), "destination", "local") == "drive"


@dataclass(frozen=True)
class ExportOutcome:
    """What one export did: the local file, the Drive file, or why one of them failed."""

    fmt: str
    copy: str
    local: LocalExport | None = None
    failure: ExportFailed | None = None  # the local file could not be made
    drive: DriveExport | None = None  # None: nothing was meant for Drive
    drive_index: DriveFile | None = None  # the Drive folder's index Doc, once brought up to date
    drive_index_error: DriveError | None = None


DRIVE_INDEX_LOCK = "drive-index"
# Files made in the shared folder that are also put, as they are, in the Drive folder.
ALSO_TO_DRIVE = ("pdf", "docx")


def drive_file_lock(stored: StoredReport, fmt: str, copy: str) -> str:
    """The name of the lock held while one report's file of this kind goes to Drive."""
    return f"drive:{stored.id}:{fmt}:{copy}"


def _to_drive(stored: StoredReport, fmt: str, log: ExportLog, connect: Callable[[], DriveClient],
              copy: str, content: bytes | None = None) -> DriveExport:
    """``export_to_drive`` while no other process puts this report's file of this kind there."""
    with named_lock(log.engine, drive_file_lock(stored, fmt, copy)):
        return export_to_drive(stored, fmt, log, connect, content=content, copy=copy)


def _drive_index(connect: Callable[[], DriveClient], store: ReportStore, language: str,
                 ) -> tuple[DriveFile | None, DriveError | None]:
    """Bring the Drive folder's index Doc up to date (in the shared folder's language); a
    failure is reported, never raised."""
    try:
        with named_lock(store.engine, DRIVE_INDEX_LOCK):  # never two index Docs
            return refresh_drive_index(connect(), store, language=language), None
    except DriveError as error:
        log.warning("The Drive folder's index could not be updated: %s (%s)", error.kind,
                    error.__cause__)
        return None, error


def export_report(
    stored: StoredReport, fmt: str, *, copy: str = CLIENT_COPY, folder: SharedFolder,
    log: ExportLog, store: ReportStore, connect: Callable[[], DriveClient],
    drive_set_up: bool,
) -> ExportOutcome:
    """Export ``stored`` as ``fmt`` (its ``copy``) where that format goes.

    ``connect`` gives the Drive client (raising ``DriveError`` with the reason when it cannot);
    PDFs are copied to Drive only when ``drive_set_up``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if is_drive_only(fmt):
        doc = _to_drive(stored, fmt, log, connect, copy)
        with folder.lock():
            refresh_index(folder, log, store)
        index, index_error = (_drive_index(connect, store, folder.language) if doc.ok
                              else (None, None))
        return ExportOutcome(fmt, copy, drive=doc, drive_index=index,
                             drive_index_error=index_error)
    try:
        local = export_to_folder(stored, fmt, folder, log, store=store, copy=copy)
    except ExportFailed as failure:
        return ExportOutcome(fmt, copy, failure=failure)
    sent: DriveExport | None = None
    index = index_error = None
    if fmt in ALSO_TO_DRIVE and drive_set_up:
        sent = _to_drive(stored, fmt, log, connect, copy, content=local.path.read_bytes())
        with folder.lock():
            refresh_index(folder, log, store)
        if sent.ok:
            index, index_error = _drive_index(connect, store, folder.language)
    return ExportOutcome(fmt, copy, local=local, drive=sent, drive_index=index,
                         drive_index_error=index_error)
