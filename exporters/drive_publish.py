"""Put a saved report into the team's Drive folder (a Google Doc, or a copy of its PDF), record it.

The export log remembers which Drive file holds each report's Doc and PDF, so exporting again
updates that file; the file is also tagged with a key made from the report, so a lost record
finds it again instead of making a copy. The internal copy is a file of its own, named
"… (internal)", with its own record and key. A failure never raises: it is recorded and returned
with its explanation, and nothing about the report changes.

Once the Doc or PDF is there, the report's files follow it into a folder beside it
(``exporters.drive_files``). If Drive refuses them, the Doc or PDF still counts as exported; the
notice and the record say the files could not all be put there, and why.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from reports.attachments import AttachmentStore, export_figures, showing
from reports.exchange import zone
from reports.exports_log import DRIVE, ExportLog, ExportRecord
from reports.language import N_
from reports.model import CLIENT_COPY, INTERNAL_COPY, Report, StoredReport
from reports.said import Said, said, sentences
from reports.said import stored as stored_text

from .drive_errors import ADMIN, DriveError
from .drive_files import FilesInDrive, has_work, sync_files
from .gdoc import render_gdoc_html
from .gdrive import DOCX_MIME, PDF_MIME, DriveClient, DriveFile
from .naming import incident_moment

MAX_SERVICE = 60
MAX_TITLE = 150
DRIVE_FORMATS = ("gdoc", "pdf", "docx")
_MIME = {"pdf": PDF_MIME, "docx": DOCX_MIME}
# What was put in Drive, inside a sentence ("The PDF could not be put in Google Drive").
WHAT = {"gdoc": N_("Google Doc"), "pdf": "PDF", "docx": N_("Word document")}

_locks: dict[tuple[int, str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _one_line(text: str, limit: int) -> str:
    """Text without control or direction-changing characters, spaces collapsed, cut to fit."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)
    flat = re.sub(r"\s+", " ", kept).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def drive_name(report: Report, extension: str = "", copy: str = CLIENT_COPY) -> str:
    """The shared-folder name: ``YYYY-MM service — title``, `` (internal)`` for the internal
    copy, plus ``.ext`` for a file."""
    moment = incident_moment(report)
    month = moment.astimezone(zone(report)).strftime("%Y-%m") if moment else "Undated"
    service = _one_line(report.service, MAX_SERVICE)
    title = _one_line(report.title, MAX_TITLE) or "Untitled report"
    name = f"{month} {service} — {title}" if service else f"{month} — {title}"
    if copy == INTERNAL_COPY:
        name += " (internal)"
    return f"{name}.{extension}" if extension else name


def drive_key(stored: StoredReport, fmt: str, copy: str = CLIENT_COPY) -> str:
    """A tag unique to this report, format and copy, kept on the Drive file."""
    key = f"hindsight:{stored.id}:{stored.created_at.strftime('%Y%m%dT%H%M%S.%f')}:{fmt}"
    return f"{key}:{copy}" if copy != CLIENT_COPY else key


@dataclass(frozen=True)
class DriveExport:
    """What happened: the record, and either the file in Drive or the reason it is not there."""

    fmt: str
    record: ExportRecord
    file: DriveFile | None = None
    error: DriveError | None = None
    copy: str = CLIENT_COPY
    files: FilesInDrive | None = None  # the report's files folder, when there was work for it
    files_error: DriveError | None = None  # why the files could not all be put there

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def notice(self) -> Said:
        """One or two sentences for the author, in plain words (``Said``: English as text,
        in the reader's language with ``shown()``; ``stored`` for the job and the record)."""
        said_now = notice(self.fmt, self.file, self.error, self.copy)
        files = files_notice(self.files, self.files_error)
        return sentences(said_now, files) if files else said_now


def files_notice(files: FilesInDrive | None, error: DriveError | None) -> Said | None:
    """What became of the report's files in Drive, or nothing when it had none there."""
    if error is not None:
        return said(N_("The report's files could not all be put in the folder beside it. "
                       "%(why)s Export again to try once more."), why=error.said)
    if files is None or files.folder is None:
        return None
    return said(N_("The report's files are in the folder “%(folder)s” beside it."),
                folder=files.folder.name)


def _what(fmt: str, copy: str) -> Said:
    what = said(WHAT[fmt])
    return said(N_("%(format)s (internal copy)"), format=what) if copy == INTERNAL_COPY else what


def notice(fmt: str, file: DriveFile | None, error: DriveError | None,
           copy: str = CLIENT_COPY) -> Said:
    """What became of an upload, for the author."""
    what = _what(fmt, copy)
    if error is not None:
        return said(N_("The %(what)s could not be put in Google Drive. %(why)s Your report has "
                       "not changed."), what=what, why=error.said)
    assert file is not None
    if file.other_kind:
        return said(N_("The file Hindsight had recorded for this %(what)s in Google Drive is now "
                       "a file of another kind, so Hindsight left it alone and made a new one. "
                       "It has a new link: share this one."), what=what)
    if file.replaced_missing and file.created_new:
        return said(N_("The earlier %(what)s had been deleted or moved to the bin in Google "
                       "Drive, so Hindsight made a new one. It has a new link: share this one."),
                    what=what)
    if file.replaced_missing:
        return said(N_("The earlier %(what)s had been deleted or moved to the bin in Google "
                       "Drive; Hindsight updated another copy it found in the folder."),
                    what=what)
    if file.created_new:
        return said(N_("The %(what)s is now in the team's Google Drive folder."), what=what)
    return said(N_("The %(what)s in the team's Google Drive folder is updated; its link is the "
                   "same."), what=what)


def _lock_for(report_id: int, fmt: str, copy: str) -> threading.Lock:
    """Two exports of one report at once in this process would both create: take turns."""
    with _locks_guard:
        return _locks.setdefault((report_id, fmt, copy), threading.Lock())


def export_to_drive(
    stored: StoredReport, fmt: str, log: ExportLog, connect: Callable[[], DriveClient],
    content: bytes | None = None, copy: str = CLIENT_COPY,
) -> DriveExport:
    """Upload ``stored`` as a Doc (``gdoc``), or its file ``content`` as it is (``pdf``,
    ``docx``: the same file as in the shared folder), and record it.

    ``copy`` says which copy this is; ``content`` must already be that copy.
    """
    if fmt not in DRIVE_FORMATS or (fmt != "gdoc" and content is None):
        raise ValueError(f"cannot put {fmt!r} in Drive this way")
    with _lock_for(stored.id, fmt, copy):
        previous = log.current_location(stored.id, fmt, DRIVE, copy)
        try:
            client = connect()
            key = drive_key(stored, fmt, copy)
            if fmt == "gdoc":
                with showing(export_figures(log.engine, stored.id)):  # the report's figures
                    html = _render(stored.report, copy)
                file = client.upload_doc(drive_name(stored.report, copy=copy), html, previous,
                                         key=key)
            else:
                assert content is not None
                file = client.upload_file(drive_name(stored.report, fmt, copy), content,
                                          _MIME[fmt], previous, key=key)
        except DriveError as error:
            record = log.record(
                report_id=stored.id, format=fmt, destination=DRIVE, location=previous or "",
                report_version=stored.version, ok=False, message=stored_text(error.said),
                copy=copy,
            )
            return DriveExport(fmt, record, error=error, copy=copy)
        # The report's files go beside the Doc and the PDF; a Word file is one more way to read.
        files, files_error = (_files_beside(client, stored, AttachmentStore(log.engine), file,
                                            copy) if fmt in ("gdoc", "pdf") else (None, None))
        # Keep the explanation with the record when the earlier file was gone, or the files
        # could not follow.
        kept: list[str] = ([notice(fmt, file, None, copy)]
                           if file.replaced_missing or file.other_kind else [])
        if files_error is not None:
            kept.append(files_notice(None, files_error) or "")
        record = log.record(
            report_id=stored.id, format=fmt, destination=DRIVE, location=file.id,
            link=file.link, report_version=stored.version, copy=copy,
            message=stored_text(sentences(*kept)) if kept else None,
        )
        return DriveExport(fmt, record, file=file, copy=copy, files=files,
                           files_error=files_error)


def _files_beside(client: DriveClient, stored: StoredReport, store: AttachmentStore,
                  exported: DriveFile, copy: str,
                  ) -> tuple[FilesInDrive | None, DriveError | None]:
    """Bring the report's files folder beside ``exported`` up to date; a refusal is returned,
    never raised (the Doc or PDF is there either way)."""
    if not has_work(store, stored.id, exported):
        return None, None
    try:
        files = sync_files(client, stored, store, copy, drive_name(stored.report), exported)
    except DriveError as error:
        return None, error
    return files, None


def _render(report: Report, copy: str = CLIENT_COPY) -> str:
    try:
        return render_gdoc_html(report, copy=copy)
    except Exception as error:
        raise DriveError(
            said(N_("Hindsight could not turn the report into a document.")),
            said(N_("This is a fault in Hindsight, not in your report. Tell %(admin)s."),
                 admin=ADMIN),
            kind="render",
        ) from error
