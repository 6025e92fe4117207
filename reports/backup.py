"""Backups: every report as an exchange document, plus a manifest with checksums.

A backup folder is readable without the app (plain JSON files), and ``restore`` refuses a
folder whose files do not match their manifest rather than importing half of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .exchange import from_document, to_document
from .store import ReportStore

BACKUP_FORMAT = "hindsight-backup/1"


class BackupError(ValueError):
    pass


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    count: int


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def backup(store: ReportStore, folder: Path) -> BackupResult:
    entries = []
    for summary in store.list():
        stored = store.get(summary.id)
        if stored is None:  # deleted while the backup ran
            continue
        data = json.dumps(to_document(stored.report), ensure_ascii=False, indent=2).encode()
        name = f"reports/{stored.id}.json"
        _write_atomically(folder / name, data)
        entries.append({"id": stored.id, "version": stored.version, "file": name,
                        "title": stored.report.title,
                        "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"format": BACKUP_FORMAT, "created_at": datetime.now(UTC).isoformat(),
                "count": len(entries), "reports": entries}
    _write_atomically(folder / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return BackupResult(folder, len(entries))


def restore(store: ReportStore, folder: Path) -> list[int]:
    """Import every report of a backup as a new report; returns the new ids."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable manifest.json: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{folder}/manifest.json is not a {BACKUP_FORMAT} manifest")
    reports = []
    root = folder.resolve()
    for entry in manifest.get("reports", []):
        path = (folder / str(entry.get("file", ""))).resolve()
        if root not in path.parents:
            raise BackupError(f"the manifest names a file outside the backup: {entry!r}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BackupError(f"cannot read {path}: {error}") from None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BackupError(f"{path.name} does not match its checksum in the manifest")
        reports.append(from_document(json.loads(data)))
    return [store.create(report).id for report in reports]
