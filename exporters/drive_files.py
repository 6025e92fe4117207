"""The report's files in Google Drive: a folder beside its Doc and PDF, in step with the report.

As in the local shared folder (``exporters.publish.write_files``), the folder holds the files
the client may see, with the names they have there (``naming.attachment_file_names``); the
internal copy's export also puts the internal-only files in its ``internal`` folder. A file
removed from the report, or made internal only, leaves the folder at the next export; when the
report has no file left, the folder goes too. The folder is named as the report's Doc is
("2026-10 checkout — Card payments declined"), so a new title renames it; if it is found
anywhere else (the reports folder was changed, or someone moved it) it is moved back beside
the Doc.

How Hindsight finds what it put there: every item carries the report's key
(``REPORT_PROPERTY``, one ``files.list`` finds them all) and its own (``KEY_PROPERTY``: the
folder, the internal folder, or one file by its number); a file also carries the SHA-256 of its
bytes, so a file that did not change is not sent again. Two items with one key (two exports
that raced, an upload whose answer was lost) are mended at the next export: one is kept, the
others go to the bin. Removed items go to Drive's bin, not away for good: whoever looks after
the folder can take one back within 30 days.

Requests: none for a report without files that never had any in Drive (the Doc or PDF carries
``FOLDER_HINT`` once it has had a folder beside it); otherwise one ``files.list``, plus one
request for each thing that changed. A file's bytes are read from the database only when it is
sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from reports.attachments import Attachment, AttachmentStore
from reports.model import INTERNAL_COPY, StoredReport

from .gdrive import KEY_PROPERTY, DriveClient, DriveFile, DriveItem
from .naming import INTERNAL_FILES, attachment_file_names

REPORT_PROPERTY = "hindsightFilesOf"  # on every item of a report's files folder: the report
SHA_PROPERTY = "hindsightSha256"  # on each file: the SHA-256 of the bytes it holds
FOLDER_HINT = "hindsightFiles"  # on a Doc or PDF: the id of the files folder beside it
INTERNAL_HINT = "hindsightInternalFiles"  # on the files folder: the id of its internal folder

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def report_key(stored: StoredReport) -> str:
    """The report's tag, as its exports' keys begin (``drive_publish.drive_key``)."""
    return f"hindsight:{stored.id}:{stored.created_at.strftime('%Y%m%dT%H%M%S.%f')}"


def folder_key(report: str) -> str:
    return f"{report}:files"


def internal_key(report: str) -> str:
    return f"{report}:files:internal"


def file_key(report: str, attachment_id: int) -> str:
    return f"{report}:file:{attachment_id}"


@dataclass
class FilesInDrive:
    """What the export did to the report's files folder."""

    folder: DriveItem | None  # None: the report has no files in Drive (any more)
    internal: DriveItem | None = None
    files: dict[str, DriveItem] = field(default_factory=dict)  # name in the folder -> file
    sent: int = 0  # files uploaded (new or changed)
    trashed: int = 0  # items moved to the bin


def _lock_for(report_id: int) -> threading.Lock:
    """A report's Doc and PDF may be exported at once: one of them mends the folder at a time."""
    with _locks_guard:
        return _locks.setdefault(report_id, threading.Lock())


def has_work(store: AttachmentStore, report_id: int, exported: DriveFile) -> bool:
    """Whether the export must look at the files folder: the report has files, or had a
    folder beside this Doc or PDF that may now have to go."""
    return bool(exported.properties.get(FOLDER_HINT)) or bool(store.files(report_id))


def sync_files(client: DriveClient, stored: StoredReport, store: AttachmentStore, copy: str,
               folder_name: str, beside: DriveFile | None = None) -> FilesInDrive:
    """Bring the report's files folder in Drive in step with the report, for this ``copy``.

    ``beside``: the Doc or PDF just exported, on which the folder is noted (``FOLDER_HINT``) as
    soon as it is there, so that the next export knows to look for it even if this one stops
    half way and the report has no file left by then. Raises ``DriveError`` (from the client)
    when Drive refuses; what was done until then stays.
    """
    with _lock_for(stored.id):
        return _Sync(client, stored, store, copy, folder_name, beside).run()


def _mark(client: DriveClient, exported: DriveFile | None, folder: DriveItem | None) -> None:
    """Note on the Doc or PDF which files folder is beside it (one request, only when that
    changed)."""
    wanted = folder.id if folder is not None else None
    if exported is not None and exported.properties.get(FOLDER_HINT) != wanted:
        client.change(exported.id, properties={FOLDER_HINT: wanted})


class _Sync:
    def __init__(self, client: DriveClient, stored: StoredReport, store: AttachmentStore,
                 copy: str, folder_name: str, beside: DriveFile | None):
        self.beside = beside
        self.client = client
        self.stored = stored
        self.store = store
        self.copy = copy
        self.folder_name = folder_name
        self.report = report_key(stored)
        self.by_key: dict[str, list[DriveItem]] = {}
        self.kept: set[str] = set()
        self.outcome = FilesInDrive(folder=None)

    def run(self) -> FilesInDrive:
        listed = self.client.list_tagged(REPORT_PROPERTY, self.report)
        for item in listed:
            self.by_key.setdefault(item.key, []).append(item)
        everything = self.store.files(self.stored.id)  # names and checksums; bytes when sent
        client_files = [a for a in everything if not a.internal]
        internal_files = ([a for a in everything if a.internal]
                          if self.copy == INTERNAL_COPY else [])
        kept_internal = self._internal_left_alone([a.id for a in everything if a.internal])
        if client_files or internal_files or kept_internal:
            folder = self._folder(folder_key(self.report), self.folder_name,
                                  self.client.folder_id)
            self.outcome.folder = folder
            _mark(self.client, self.beside, folder)
            self._put(client_files, folder.id)
            if internal_files or kept_internal:
                inside = self._folder(internal_key(self.report), INTERNAL_FILES, folder.id)
                self.outcome.internal = inside
                self._put(internal_files, inside.id)
                self.kept.update(item.id for item in kept_internal)
        self._trash_the_rest(listed)
        if self.outcome.folder is None:
            _mark(self.client, self.beside, None)
        made = self.outcome.folder
        inside_id = self.outcome.internal.id if self.outcome.internal else None
        if made is not None and made.properties.get(INTERNAL_HINT) != inside_id:
            # For the folder's index, which links the internal folder without looking inside.
            self.outcome.folder = self.client.change(made.id,
                                                     properties={INTERNAL_HINT: inside_id})
        return self.outcome

    def _internal_left_alone(self, still: list[int]) -> list[DriveItem]:
        """For a client copy: the internal-only files already in the internal folder that the
        report still has as internal (the client's export neither adds nor changes them, but
        removes those the report dropped, as the local folder does)."""
        if self.copy == INTERNAL_COPY:
            return []
        inside = self._chosen(internal_key(self.report), None)
        if inside is None:
            return []
        found = (self._chosen(file_key(self.report, number), inside.id) for number in still)
        return [item for item in found if item is not None and inside.id in item.parents]

    def _chosen(self, key: str, parent_id: str | None) -> DriveItem | None:
        """The item kept for ``key``: the one already in ``parent_id`` if there is one."""
        candidates = self.by_key.get(key) or []
        return next((c for c in candidates if parent_id in c.parents),
                    candidates[0] if candidates else None)

    def _folder(self, key: str, name: str, parent_id: str) -> DriveItem:
        found = self._chosen(key, parent_id)
        if found is None:
            made = self.client.make_subfolder(
                name, parent_id, {KEY_PROPERTY: key, REPORT_PROPERTY: self.report})
        else:
            made = self._rename_or_move(found, name, parent_id)
        self.kept.add(made.id)
        return made

    def _put(self, files: list[Attachment], parent_id: str) -> None:
        names = attachment_file_names([(a.id, a.name) for a in files])
        for attachment in files:
            key = file_key(self.report, attachment.id)
            name = names[attachment.id]
            found = self._chosen(key, parent_id)
            tags = {KEY_PROPERTY: key, REPORT_PROPERTY: self.report,
                    SHA_PROPERTY: attachment.sha256}
            if found is None or found.properties.get(SHA_PROPERTY) != attachment.sha256:
                data = self.store.data(self.stored.id, attachment.id)
                if data is None:  # removed from the report meanwhile
                    continue
                found = self.client.put_file(
                    name, data, attachment.mimetype, parent_id=parent_id, properties=tags,
                    existing_id=found.id if found else None)
                self.outcome.sent += 1
            found = self._rename_or_move(found, name, parent_id)
            self.kept.add(found.id)
            self.outcome.files[name] = found

    def _rename_or_move(self, item: DriveItem, name: str, parent_id: str) -> DriveItem:
        """``item`` named ``name`` in ``parent_id``: one request when it is not yet."""
        moving = parent_id not in item.parents
        if item.name == name and not moving:
            return item
        return self.client.change(item.id, name=name, move_from=item.parents,
                                  move_to=parent_id if moving else None)

    def _trash_the_rest(self, listed: list[DriveItem]) -> None:
        """Move to the bin every item of the report not kept; what is inside a folder going to
        the bin goes with it, so it is not sent one by one."""
        going = {item.id for item in listed if item.id not in self.kept}
        for item in sorted(listed, key=lambda i: i.is_folder):  # files first, then folders
            if item.id in going and not any(p in going for p in item.parents):
                self.client.trash(item.id)
                self.outcome.trashed += 1

