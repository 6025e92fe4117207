"""The app's services, reached from any view or command while the app runs.

As in the Flask tutorial's ``db.py``: ``create_app`` builds them once with ``init_services``
and keeps them in ``app.extensions``; everything else asks for them here. This module imports no
view and not ``app``, so the import graph has no loop.
"""

from __future__ import annotations

import atexit
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from accounts.ratelimit import FailureLimit
from accounts.users import UserStore
from exporters import drive_errors
from exporters.drive_auth import DELEGATED, PERSON, SignIn, StoredPerson, sign_in_from_config
from exporters.drive_errors import DriveError
from exporters.folder import SharedFolder
from exporters.gdrive import DriveClient
from exporters.job_outcome import JobOutcome
from exporters.service import ExportOutcome, export_report
from exporters.worker import ExportWorkers, heartbeat, worker_id
from reports.comments import CommentStore
from reports.drive_connection import Connection, DriveConnections, delegated_identity
from reports.export_jobs import STALE_AFTER, ExportJob, ExportJobs
from reports.exports_log import ExportLog
from reports.instances import Instances, this_process
from reports.migrate import upgrade
from reports.model import CLIENT_COPY
from reports.store import ReportStore, make_engine

STORE = "hindsight.store"
EXPORTS = "hindsight.exports"
USERS = "hindsight.users"
LOGIN_FAILURES = "hindsight.login_failures"
DRIVE = "hindsight.drive"
DRIVE_CONNECTIONS = "hindsight.drive_connections"
EXPORT_JOBS = "hindsight.export_jobs"
EXPORT_WORKERS = "hindsight.export_workers"
INSTANCES = "hindsight.instances"


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
    app.extensions[DRIVE_CONNECTIONS] = DriveConnections(engine, app.config["SECRET_KEY"])
    _init_export_jobs(app, engine)
    _init_instances(app, engine)


def _init_instances(app: Flask, engine: Engine) -> None:
    """Say in the database that this process runs, and warn when other instances share the
    folder badly (reports/instances.py); say so again now and then while requests come."""
    instances = Instances(engine, this_process(app.config["SHARED_FOLDER"]))
    instances.register()
    app.extensions[INSTANCES] = instances
    for warning in instances.new_warnings():
        app.logger.warning(warning)

    def still_here() -> None:
        try:
            if instances.beat():
                for warning in instances.new_warnings():
                    app.logger.warning(warning)
        except Exception:  # the request goes on; the next beat tries again
            app.logger.warning("Could not record that this instance still runs", exc_info=True)

    app.before_request(still_here)
    if not app.testing:
        atexit.register(_leave, instances)


def _leave(instances: Instances) -> None:
    # The database may be gone first; the row is then forgotten within a day.
    with contextlib.suppress(Exception):
        instances.leave()


def get_instances() -> Instances:
    return current_app.extensions[INSTANCES]


def today() -> date:
    """Today's date in UTC: what "overdue" and "due" mean. Tests pin it with ``TODAY``."""
    pinned = current_app.config.get("TODAY")
    return pinned if isinstance(pinned, date) else datetime.now(UTC).date()


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


def get_drive_connections() -> DriveConnections:
    return current_app.extensions[DRIVE_CONNECTIONS]


@dataclass(frozen=True)
class DriveState:
    """How Drive is set up right now: who Hindsight signs in as, which folder, what is wrong."""

    sign_in: SignIn | None
    folder_id: str
    folder_made: bool  # the folder is one Hindsight made for this account
    connection: Connection | None  # the stored row of this account (person or delegated)
    person: Connection | None  # the person's row, connected or not
    problem: DriveError | None = None

    @property
    def ready(self) -> bool:
        return self.problem is None and self.sign_in is not None and bool(self.folder_id)


def drive_state() -> DriveState:
    """Drive as the settings and the database have it now (one small query)."""
    config = current_app.config
    connections = get_drive_connections()
    person = connections.person()
    stored = (StoredPerson(person.account, person.refresh_token, person.account_name)
              if person is not None and person.connected else None)
    problem = None
    try:
        sign_in = sign_in_from_config(config, stored)
    except DriveError as error:
        sign_in, problem = None, error
    if person is not None and person.unreadable and config.get("GOOGLE_OAUTH_CLIENT"):
        # The connected account cannot be used: say so rather than export elsewhere.
        problem = drive_errors.connection_unreadable()
    row = None
    if sign_in is not None and sign_in.kind == PERSON:
        row = person
    elif sign_in is not None and sign_in.kind == DELEGATED:
        row = connections.get(delegated_identity(sign_in.subject))
    made = bool(row is not None and row.folder_id)
    folder = row.folder_id if row is not None and made else str(
        config.get("DRIVE_FOLDER_ID") or "").strip()
    return DriveState(sign_in, folder, made, row, person, problem)


def drive_set_up() -> bool:
    """Exports go to Drive: someone signs in and there is a folder."""
    return drive_state().ready


def get_drive_client() -> DriveClient:
    """The app's Drive client, made from the settings and the stored connection, and kept
    (so its access token is reused) until either changes, in this process or another;
    raises ``DriveError`` while they do not allow one."""
    fingerprint = get_drive_connections().fingerprint()
    cached = current_app.extensions.get(DRIVE)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    state = drive_state()
    if state.problem is not None:
        raise state.problem
    if state.sign_in is None:
        raise drive_errors.not_configured()
    client = DriveClient.from_config(current_app.config, sign_in=state.sign_in,
                                     folder_id=state.folder_id)
    current_app.extensions[DRIVE] = (fingerprint, client)
    return client


def shared_folder() -> SharedFolder:
    """The shared folder; its writers take turns through the database (exporters/folder.py)."""
    return SharedFolder(current_app.config["SHARED_FOLDER"], get_store().engine,
                        language=current_app.config["LANGUAGE"])


def export_saved_report(report_id: int, fmt: str, copy: str = CLIENT_COPY
                        ) -> ExportOutcome | None:
    """Export the saved report with this app's folder, log and Drive; None: no such report."""
    stored = get_store().get(report_id)
    if stored is None:
        return None
    outcome = export_report(
        stored, fmt, copy=copy, folder=shared_folder(), log=get_exports(), store=get_store(),
        connect=get_drive_client, drive_set_up=drive_set_up(),
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


def _setting(app: Flask, name: str, least: int) -> int:
    try:
        value = int(str(app.config[name]).strip())
    except ValueError:
        value = least - 1
    if value < least:
        raise RuntimeError(f"HINDSIGHT_{name} must be a whole number, at least {least}")
    return value


def _init_export_jobs(app: Flask, engine: Engine) -> None:
    """The export job table, and this process's export workers unless exports run inline.

    Inline (``EXPORT_INLINE``, the default in tests, or ``HINDSIGHT_EXPORT_WORKERS=0``): whoever
    asks for an export runs its job there and then, as the command line always may. Otherwise
    the workers start with the first request this process answers and stop when it exits.
    """
    jobs = ExportJobs(engine)
    app.extensions[EXPORT_JOBS] = jobs
    size = _setting(app, "EXPORT_WORKERS", 0)
    limit = _setting(app, "EXPORT_LIMIT", 1)
    inline = app.config.get("EXPORT_INLINE")
    if (app.testing if inline is None else bool(inline)) or size == 0:
        return
    workers = ExportWorkers(jobs, partial(_run_in_app, app), size=size, limit=limit)
    app.extensions[EXPORT_WORKERS] = workers
    app.before_request(workers.start)
    atexit.register(workers.stop)


def get_export_jobs() -> ExportJobs:
    return current_app.extensions[EXPORT_JOBS]


def export_workers() -> ExportWorkers | None:
    """This process's export workers; None when exports run where they are asked for."""
    return current_app.extensions.get(EXPORT_WORKERS)


def _run_in_app(app: Flask, job: ExportJob, worker: str) -> None:
    with app.app_context():
        run_export_job(job, worker)


def run_export_job(job: ExportJob, worker: str) -> None:
    """Run a job ``worker`` has claimed, and record what it made (or why it failed)."""
    jobs = get_export_jobs()
    with heartbeat(jobs, job.id, worker):
        try:
            outcome = export_saved_report(job.report_id, job.format, job.copy)
        except Exception as error:
            current_app.logger.exception("Export job %s (report %s as %s) failed", job.id,
                                         job.report_id, job.format)
            jobs.fail(job.id, worker, f"{type(error).__name__}: {error}")
            return
    if outcome is None:
        jobs.fail(job.id, worker, "The report is no longer there.")
    else:
        jobs.finish(job.id, worker, JobOutcome.of(outcome).to_json())


def request_export(report_id: int, fmt: str, copy: str = CLIENT_COPY,
                   requested_by: str | None = None) -> ExportJob | None:
    """Queue an export of the report as last saved (or join the identical one queued).

    With export workers, returns at once, the job queued; inline, runs it first and returns it
    finished. None: no such report.
    """
    jobs = get_export_jobs()
    version = jobs.report_version(report_id)
    if version is None:
        return None
    job = jobs.enqueue(report_id, version, fmt, copy, requested_by)
    workers = export_workers()
    if workers is not None:
        workers.start()
        workers.wake()
        return job
    return wait_for_export(job.id) or job


def wait_for_export(job_id: int, timeout: float = 600.0, every: float = 0.2
                    ) -> ExportJob | None:
    """The job once finished: run here while it is still queued, else wait for whoever runs it.

    A job whose process stopped is taken back and run here. After ``timeout`` seconds the job is
    returned as it stands (still running elsewhere). None: the job is gone (its report deleted).
    """
    jobs = get_export_jobs()
    me = worker_id()
    deadline = time.monotonic() + timeout
    while True:
        claimed = jobs.claim_this(job_id, me)
        if claimed is not None:
            run_export_job(claimed, me)
        job = jobs.get(job_id)
        if job is None or job.finished or time.monotonic() > deadline:
            return job
        if jobs.pending(STALE_AFTER)[1]:
            jobs.recover(STALE_AFTER)
        time.sleep(every)
