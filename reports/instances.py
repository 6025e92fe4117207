"""The app instances running on this database, so that each knows of the others.

Every app process (each gunicorn worker of each instance, and each command) writes a row when it
starts, says it is still there at most once a minute while it answers requests (a load balancer's
health checks keep an idle one talking), and removes its row when it stops. A row seen within
``LIVE_FOR`` is a live instance.

Why: the local shared folder is a folder on one machine's disk. When instances on several
machines each write exports to a folder on their own disk, every machine holds only the files it
made, and each index lists files the others cannot open. So each instance looks at the live ones
and warns, in its log, when another machine runs the app and either one's folder is on a local
disk (not a network share), or when two instances on one machine use different folders.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .tables import InstanceRow, table_of

LIVE_FOR = timedelta(minutes=5)  # an instance silent for longer is taken as stopped
BEAT_EVERY = 60.0  # seconds between two "still here" of one process
FORGET_AFTER = timedelta(days=1)  # rows of processes that never said goodbye are removed

# File systems whose folders other machines see too (Linux's names in /proc/mounts).
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "lustre", "gpfs", "beegfs",
    "afs", "9p", "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.rclone", "fuse.s3fs",
    "fuse.gcsfuse", "fuse.juicefs", "fuse.mfs",
})

instances_table = table_of(InstanceRow)
_c = instances_table.c


@dataclass(frozen=True)
class Instance:
    id: str
    host: str
    pid: int
    shared_folder: str
    folder_is_local: bool
    started_at: datetime
    seen_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _unescape_mount(field: str) -> str:
    """/proc/mounts writes a space in a mount point as \\040 (and tab, newline, \\ likewise)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def filesystem_of(folder: str | os.PathLike[str], mounts: str | None = None) -> str:
    """The file system type of the mount that holds ``folder`` ("" when it cannot be told)."""
    if mounts is None:
        try:
            mounts = Path("/proc/self/mounts").read_text()
        except OSError:
            return ""
    path = Path(folder).resolve()
    best, kind = -1, ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(_unescape_mount(fields[1]))
        if path.is_relative_to(point) and len(point.parts) > best:
            best, kind = len(point.parts), fields[2]
    return kind


def is_local_folder(folder: str | os.PathLike[str], mounts: str | None = None) -> bool:
    """Whether the folder is on this machine's own disk rather than a network share."""
    return filesystem_of(folder, mounts) not in NETWORK_FILESYSTEMS


def this_process(shared_folder: str) -> Instance:
    """This process as a row: host and process id, its shared folder and where that lives."""
    host, pid, now = socket.gethostname(), os.getpid(), datetime.now(UTC)
    folder = str(Path(shared_folder).resolve())
    return Instance(f"{host}:{pid}"[:300], host[:255], pid, folder[:1000],
                    is_local_folder(folder), now, now)


def folder_warnings(me: Instance, others: list[Instance]) -> list[str]:
    """What to tell whoever runs the app about the shared folder, given the other instances."""
    warnings = []
    for other in others:
        if other.host != me.host and (me.folder_is_local or other.folder_is_local):
            local = me.shared_folder if me.folder_is_local else other.shared_folder
            on = "this machine" if me.folder_is_local else other.host
            warnings.append(
                f"Hindsight also runs on {other.host}, and the shared folder {local} is on "
                f"{on}'s own disk: each machine keeps only the exports it made, and the "
                "folder's index lists files the others cannot open. With several machines, "
                "use Google Drive, or a network share mounted on every machine "
                "(docs/deploy.md).")
        elif other.host == me.host and other.shared_folder != me.shared_folder:
            warnings.append(
                f"Another Hindsight process on this machine (process {other.pid}) writes its "
                f"exports to {other.shared_folder}, and this one to {me.shared_folder}: every "
                "instance on one database should use the same shared folder "
                "(HINDSIGHT_SHARED_FOLDER).")
    return warnings


class Instances:
    """This process's row in the ``instances`` table, and a look at the others'."""

    def __init__(self, engine: Engine, me: Instance):
        self.engine = engine
        self.me = me
        self._last_beat = 0.0
        self._warned: set[str] = set()

    def _values(self, now: datetime) -> dict[str, object]:
        me = self.me
        return {"id": me.id, "host": me.host, "pid": me.pid, "shared_folder": me.shared_folder,
                "folder_is_local": me.folder_is_local, "started_at": me.started_at,
                "seen_at": now}

    def register(self) -> None:
        """Say this process runs (again), and forget processes that stopped long ago."""
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            connection.execute(sa.delete(instances_table).where(
                sa.or_(_c.id == self.me.id, _c.seen_at < now - FORGET_AFTER)))
            connection.execute(sa.insert(instances_table).values(**self._values(now)))
        self._last_beat = time.monotonic()

    def beat(self) -> bool:
        """Still here: at most once every ``BEAT_EVERY`` seconds (cheap to call per request).

        Returns whether it wrote (and so whether to look at the others again)."""
        if time.monotonic() - self._last_beat < BEAT_EVERY:
            return False
        self._last_beat = time.monotonic()
        with self.engine.begin() as connection:
            updated = connection.execute(sa.update(instances_table)
                                         .where(_c.id == self.me.id)
                                         .values(seen_at=datetime.now(UTC))).rowcount
        if not updated:  # removed meanwhile (a restore, a cleanup): write it again
            self.register()
        return True

    def leave(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(instances_table).where(_c.id == self.me.id))

    def live(self) -> list[Instance]:
        """Every instance seen within ``LIVE_FOR``, this one included."""
        since = datetime.now(UTC) - LIVE_FOR
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(instances_table).where(_c.seen_at >= since)
                                      .order_by(_c.host, _c.pid)).all()
        found = []
        for row in rows:
            values = dict(row._mapping)
            values["started_at"] = _utc(values["started_at"])
            values["seen_at"] = _utc(values["seen_at"])
            found.append(Instance(**values))
        return found

    def new_warnings(self) -> list[str]:
        """The folder warnings not given yet by this process."""
        others = [other for other in self.live() if other.id != self.me.id]
        fresh = [w for w in folder_warnings(self.me, others) if w not in self._warned]
        self._warned.update(fresh)
        return fresh
