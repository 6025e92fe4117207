"""A few threads in each app process that run queued export jobs, outside the request threads.

Each thread claims the oldest queued job (``reports/export_jobs.py``), runs it with ``run`` and
goes back for the next; with nothing queued it waits ``poll`` seconds, or less when this process
queues a job and calls ``wake``. Idle threads only read the table, so polling costs no writes.
While a job runs, a heartbeat says so every few seconds; a job left by a process that stopped is
queued again (or failed as interrupted) by whichever worker looks next.

The pool starts with the first request an app process answers, not when the app is made, so
the command line never starts one. Export threads run at a lower CPU priority than requests
(Linux lets a thread have its own), so a burst of exports slows saves as little as it can.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import weakref
from collections.abc import Callable, Iterator

from reports.export_jobs import (
    HEARTBEAT_EVERY,
    MAX_ATTEMPTS,
    STALE_AFTER,
    ExportJob,
    ExportJobs,
)

log = logging.getLogger(__name__)

EXPORT_NICENESS = 10  # how much lower the export threads' CPU priority is than the requests'
_started: weakref.WeakSet[ExportWorkers] = weakref.WeakSet()  # pools started in this process


def stop_every_pool(timeout: float = 20.0) -> None:
    """Stop every pool this process started (a test's apps, before its database goes away).
    A pool starts again with the next request its app answers."""
    for pool in list(_started):
        pool.stop(timeout)
        _started.discard(pool)


def worker_id() -> str:
    """This process, as the job table names whoever runs a job: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextlib.contextmanager
def heartbeat(jobs: ExportJobs, job_id: int, worker: str,
              every: float = HEARTBEAT_EVERY) -> Iterator[None]:
    """While the block runs, tell the job table every ``every`` seconds that the job still runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                jobs.heartbeat(job_id, worker)
            except Exception:  # a busy database now and then: the next beat will do
                log.warning("Could not record that export job %s still runs", job_id,
                            exc_info=True)

    thread = threading.Thread(target=beat, name=f"export-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every)


def _lower_priority() -> None:
    """Let requests have the processor first (Linux: a nice value per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), EXPORT_NICENESS)


class ExportWorkers:
    """``size`` threads running export jobs; at most ``limit`` jobs run at once on the database."""

    def __init__(self, jobs: ExportJobs, run: Callable[[ExportJob, str], None], *, size: int,
                 limit: int | None = None, poll: float = 2.0,
                 stale_after: float = STALE_AFTER, max_attempts: int = MAX_ATTEMPTS):
        self.jobs = jobs
        self.run = run
        self.size = size
        self.limit = limit
        self.poll = poll
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self._threads: list[threading.Thread] = []
        self._started_in: int | None = None  # the process that started the threads
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._lock = threading.Lock()
        self._running: set[int] = set()

    @property
    def running(self) -> frozenset[int]:
        """The jobs this process runs now."""
        with self._lock:
            return frozenset(self._running)

    def start(self) -> None:
        """Start the threads, once per process (cheap to call on every request)."""
        if self._started_in == os.getpid():
            return
        with self._lock:
            if self._started_in == os.getpid():
                return
            self._stopping.clear()
            self._threads = [
                threading.Thread(target=self._loop, name=f"export-worker-{n}", daemon=True)
                for n in range(self.size)
            ]
            for thread in self._threads:
                thread.start()
            self._started_in = os.getpid()
            _started.add(self)

    def wake(self) -> None:
        """A job was queued here: look now rather than at the next poll."""
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout: float = 20.0) -> None:
        """Let running exports finish (up to ``timeout`` seconds), then give the rest back."""
        if self._started_in != os.getpid():
            return
        self._stopping.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=timeout / max(1, len(self._threads)))
        worker = worker_id()
        for job_id in self.running:
            with contextlib.suppress(Exception):
                if self.jobs.release(job_id, worker):
                    log.warning("Export job %s was given back to the queue: this process is "
                                "stopping", job_id)
        self._started_in = None

    def _next(self) -> ExportJob | None:
        queued, abandoned = self.jobs.pending(self.stale_after)
        if abandoned:
            taken = self.jobs.recover(self.stale_after, self.max_attempts)
            if taken:
                log.warning("%d export job(s) whose process stopped were taken back", taken)
            queued = True
        return self.jobs.claim(worker_id(), self.limit) if queued else None

    def _loop(self) -> None:
        _lower_priority()
        while not self._stopping.is_set():
            try:
                job = self._next()
            except Exception:
                log.exception("Could not look for export jobs")
                job = None
            if job is None:
                with self._wake:
                    self._wake.wait(self.poll)
                continue
            with self._lock:
                self._running.add(job.id)
            try:
                self.run(job, worker_id())
            except Exception:
                log.exception("Export job %s could not be run", job.id)
            finally:
                with self._lock:
                    self._running.discard(job.id)
