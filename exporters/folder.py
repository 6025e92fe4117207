"""The local shared folder: safe paths inside it, atomic writes, one lock for naming.

Paths handed to this module are relative, ``/``-separated names made by ``exporters.naming``;
even so, every one is checked to resolve inside the folder before anything is read or written.

The lock: with a PostgreSQL database, app instances on several machines may share the folder (a
network share), where a lock file cannot be trusted; they take turns through the database
(``reports.db_locks``). With SQLite everything runs on one machine: a lock file in the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import Engine

from reports.db_locks import is_shared, named_lock

LOCK_NAME = ".hindsight-export.lock"


class OutsideFolder(ValueError):
    """A location that is not a plain file name inside the shared folder."""


FOLDER_LOCK = "shared-folder"  # the database lock's name (reports/db_locks.py)


class SharedFolder:
    def __init__(self, root: str | os.PathLike[str], engine: Engine | None = None,
                 language: str = "en"):
        """``engine``: the app's database, whose lock the folder's writers take turns on when it
        is PostgreSQL; without one (or on SQLite), a lock file in the folder. ``language``: the
        language of the folder's index (``HINDSIGHT_LANGUAGE``)."""
        self.root = Path(root).resolve()
        self.engine = engine
        self.language = language

    def path_of(self, location: str) -> Path:
        """The absolute path of a relative location, or ``OutsideFolder``."""
        pure = PurePosixPath(location)
        if (
            not location
            or "\x00" in location
            or "\\" in location
            or pure.is_absolute()
            or any(part in ("", ".", "..") or part.startswith(".") for part in location.split("/"))
        ):
            raise OutsideFolder(f"not a location in the shared folder: {location[:200]!r}")
        path = (self.root / pure).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise OutsideFolder(f"not a location in the shared folder: {location[:200]!r}")
        return path

    def exists(self, location: str) -> bool:
        return self.path_of(location).is_file()

    def write(self, location: str, data: bytes) -> Path:
        """Write all of ``data`` or nothing: a temporary file beside the target, then a rename."""
        target = self.path_of(location)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _sync_directory(target.parent)
        return target

    def remove(self, location: str) -> None:
        """Remove a file if it is there; an empty month folder left behind is removed too."""
        path = self.path_of(location)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        if path.parent != self.root:
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # only succeeds when empty

    def files_in(self, location: str) -> list[str]:
        """The names of the files directly in a folder of the shared folder ([] when none)."""
        path = self.path_of(location)
        if not path.is_dir():
            return []
        return sorted(entry.name for entry in path.iterdir()
                      if entry.is_file() and not entry.is_symlink()
                      and not entry.name.startswith("."))

    def holds(self, location: str, data: bytes) -> bool:
        """Whether the file at ``location`` is there with exactly these bytes."""
        path = self.path_of(location)
        try:
            return path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            return False

    def mirror(self, location: str, files: dict[str, bytes]) -> None:
        """Make the folder at ``location`` hold exactly ``files`` (name -> bytes): new and
        changed ones written, any other file in it removed (and the folder, once empty)."""
        for name, data in files.items():
            if not self.holds(f"{location}/{name}", data):
                self.write(f"{location}/{name}", data)
        for name in self.files_in(location):
            if name not in files:
                self.remove(f"{location}/{name}")
        with contextlib.suppress(OSError):
            self.path_of(location).rmdir()  # only when nothing is left in it

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's export lock, so two exports never pick the same free name and
        the index is written by one at a time, in every process and instance of the app."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.engine is not None and is_shared(self.engine):
            with named_lock(self.engine, FOLDER_LOCK):
                yield
            return
        with open(self.root / LOCK_NAME, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (where the system allows opening a directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
