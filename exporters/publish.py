"""Export a saved report into the local shared folder and record it.

A re-export replaces that report's file in place; if the report's name changed (a new title, a
corrected date) its old file is removed. A name already held by another report's file is left
alone and this report takes the id form of the name instead. The client copy and the internal
copy are separate files with separate names: exporting one never replaces the other.

The report's files (reports/attachments.py) go beside the export, in the folder of the same
name (``2026/10.payments.card-errors/``), as the team's postmortem guide asks: every export puts
the files the client may see there, exactly those (a file removed from the report, or made
internal, disappears); the internal copy's export also puts the internal-only files in its
``internal/`` subfolder. The figures in the text are drawn from the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reports.attachments import AttachmentStore, export_figures, showing
from reports.exports_log import LOCAL, ExportLog, ExportRecord
from reports.language import N_
from reports.model import CLIENT_COPY, INTERNAL_COPY, StoredReport
from reports.said import Said, said
from reports.store import ReportStore

from . import FORMATS
from .folder import SharedFolder
from .folder_index import refresh_index
from .naming import (
    INTERNAL_FILES,
    ExportNames,
    attachment_file_names,
    export_names,
    files_folder,
)


class ExportFailed(Exception):
    """The file could not be made or written; the message says why, in plain words (a
    ``reports.said.Said``, ``said``: shown later in the reader's language)."""

    def __init__(self, message: Said):
        super().__init__(message)
        self.said = message


@dataclass(frozen=True)
class LocalExport:
    record: ExportRecord
    path: Path


def choose_location(
    names: ExportNames, report_id: int, previous: str | None,
    is_free: Callable[[str], bool],
) -> str:
    """The report's preferred name if free, else its id form; an earlier choice is kept."""
    if previous in (names.preferred, names.with_id) and is_free(previous):
        return previous
    return names.preferred if is_free(names.preferred) else names.with_id


def _point_figures_at(data: bytes, preferred: str, chosen: str) -> bytes:
    """A Markdown file written under the report's other name (its own was taken): its figures'
    addresses name that name's files folder too."""
    was = files_folder(preferred).rpartition("/")[2]
    now = files_folder(chosen).rpartition("/")[2]
    return data.replace(f"]({was}/".encode(), f"]({now}/".encode())


def export_to_folder(
    stored: StoredReport, fmt: str, folder: SharedFolder, log: ExportLog,
    *, store: ReportStore | None = None, copy: str = CLIENT_COPY,
) -> LocalExport:
    """Render ``stored`` as ``fmt`` in ``copy``, write it into ``folder``, record it in ``log``.

    With ``store``, the folder's index.html and index.md are rewritten too.
    """
    exporter = FORMATS[fmt]
    if getattr(exporter, "destination", "local") != LOCAL:
        raise ValueError(f"{fmt!r} is not written to the local folder")
    try:
        with showing(export_figures(log.engine, stored.id)):
            data = exporter.render(stored.report, copy=copy)
    except Exception as error:
        log.record(
            report_id=stored.id, format=fmt, destination=LOCAL, location="",
            report_version=stored.version, ok=False, message=f"Rendering failed: {error}",
            copy=copy,
        )
        raise ExportFailed(said(N_("The %(format)s could not be made."),
                                format=said(exporter.label))) from error

    names = export_names(stored.report, stored.id, exporter.extension, copy)

    def is_free(location: str) -> bool:
        return not folder.exists(location) or log.owner_of(LOCAL, location) == stored.id

    try:
        with folder.lock():
            previous = log.current_location(stored.id, fmt, LOCAL, copy)
            location = choose_location(names, stored.id, previous, is_free)
            if fmt == "md" and location != names.preferred:
                data = _point_figures_at(data, names.preferred, location)
            path = folder.write(location, data)
            write_files(folder, files_folder(location), AttachmentStore(log.engine), stored.id,
                        copy)
            if previous and previous != location and log.owner_of(LOCAL, previous) == stored.id:
                folder.remove(previous)
                if files_folder(previous) != files_folder(location):
                    _remove_files(folder, files_folder(previous))
            record = log.record(
                report_id=stored.id, format=fmt, destination=LOCAL, location=location,
                report_version=stored.version, copy=copy,
            )
            if store is not None:
                refresh_index(folder, log, store)
    except OSError as error:
        log.record(
            report_id=stored.id, format=fmt, destination=LOCAL, location="",
            report_version=stored.version, ok=False, message=f"Writing failed: {error}",
            copy=copy,
        )
        raise ExportFailed(said(
            N_("The %(format)s could not be written to the shared folder (%(why)s)."),
            format=said(exporter.label), why=error.strerror or str(error),
        )) from error
    return LocalExport(record=record, path=path)


def write_files(folder: SharedFolder, location: str, store: AttachmentStore, report_id: int,
                copy: str) -> None:
    """Put the report's files in the folder beside its export: the client's always, the
    internal-only ones (in ``internal/``) with the internal copy only."""
    client = store.with_data(report_id, internal=False)
    names = attachment_file_names([(a.id, a.name) for a, _ in client])
    folder.mirror(location, {names[a.id]: data for a, data in client})
    inside = f"{location}/{INTERNAL_FILES}"
    if copy == INTERNAL_COPY:
        internal = store.with_data(report_id, internal=True)
        names = attachment_file_names([(a.id, a.name) for a, _ in internal])
        folder.mirror(inside, {names[a.id]: data for a, data in internal})
    else:  # the client's export adds no internal file, but removes those the report dropped
        kept = set(attachment_file_names([(a.id, a.name) for a in store.files(report_id)
                                          if a.internal]).values())
        for name in folder.files_in(inside):
            if name not in kept:
                folder.remove(f"{inside}/{name}")


def _remove_files(folder: SharedFolder, location: str) -> None:
    """The files folder of a name the report no longer has."""
    folder.mirror(f"{location}/{INTERNAL_FILES}", {})
    folder.mirror(location, {})
