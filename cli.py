"""``flask --app app reports …`` and ``flask --app app db …``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext, ngettext

from accounts.roles import ROLES
from accounts.users import AccountError
from exporters import FORMATS
from exporters.job_outcome import JobOutcome
from reports.backup import BackupError, backup, restore
from reports.checks import check_report
from reports.exchange import DocumentError, from_document, is_timezone, to_document
from reports.json_body import load_json_body
from reports.model import CLIENT_COPY, COPIES
from reports.said import shown
from reports.store import VersionConflict
from reports.timeline_import import (
    Chosen,
    Settings,
    TooManyRows,
    context_of,
    decode_upload,
    read_timeline,
    with_events,
)
from reports.timeline_import.text import one_line
from reports.workflow import PUBLISHED_MESSAGE, ReportPublished
from services import get_store, get_users, request_export, today, wait_for_export
from views.language import in_the_environments_language as spoken


# What the backup and restore commands count, singular or plural ("1 report", "2 reports").
def _reports(num: int) -> str:
    return ngettext("%(num)s report", "%(num)s reports", num)


def _revisions(num: int) -> str:
    return ngettext("%(num)s revision", "%(num)s revisions", num)


def _comments(num: int) -> str:
    return ngettext("%(num)s comment", "%(num)s comments", num)


def _export_records(num: int) -> str:
    return ngettext("%(num)s export record", "%(num)s export records", num)


def _accounts(num: int) -> str:
    return ngettext("%(num)s account", "%(num)s accounts", num)


def register_cli(app: Flask) -> None:
    reports = AppGroup("reports", help="Import, list, dump and export incident reports.")
    db = AppGroup("db", help="The database schema.")
    users_group = AppGroup("users", help="Accounts for password sign-in.")

    @reports.command("import")
    @click.argument("path", type=click.File("rb"))
    @spoken
    def import_report(path) -> None:
        """Import a report from a JSON file (exchange format); prints its new id."""
        def refused(what: str, error: DocumentError) -> click.ClickException:
            whole = gettext("document")
            lines = "\n".join(f"  {field or whole}: {msg}" for field, msg in error.problems.items())
            return click.ClickException(f"{what}\n{lines}")

        try:
            document = load_json_body(path.read())
        except DocumentError as error:
            raise refused(gettext("%(file)s is not a JSON file that can be imported:",
                                  file=path.name), error) from None
        try:
            report = from_document(document)
        except DocumentError as error:
            raise refused(gettext("%(file)s is not a valid report:", file=path.name),
                          error) from None
        blocking = {p.field: p.message for p in check_report(report) if p.blocking}
        if blocking:  # as the API: times that cannot be together, or cannot be shown
            raise refused(gettext("%(file)s is not a valid report:", file=path.name),
                          DocumentError(blocking))
        click.echo(get_store().create(report, kind="import").id)

    @reports.command("list")
    @spoken
    def list_reports() -> None:
        """One line per report: id, status, last edited, service, title."""
        for s in get_store().list():
            edited = s.updated_at.strftime("%Y-%m-%d %H:%M")
            click.echo(f"{s.id}\t{s.status}\t{edited}\t{s.service}\t{s.title}")

    @reports.command("dump")
    @click.argument("report_id", type=int)
    @spoken
    def dump(report_id: int) -> None:
        """Print a report as JSON (exchange format)."""
        stored = get_store().get(report_id)
        if stored is None:
            raise click.ClickException(gettext("There is no report %(id)s.", id=report_id))
        json.dump(to_document(stored.report), sys.stdout, ensure_ascii=False, indent=2)
        click.echo()

    @reports.command("timeline")
    @click.argument("report_id", type=int)
    @click.argument("file", type=click.File("rb"))
    @click.option("--timezone", "zone", default=None,
                  help="The zone of times the text gives without one (default: the report's).")
    @click.option("--day-first/--month-first", "day_first", default=None,
                  help="How to read 03/10/2026 (default: as the zone's region writes dates).")
    @click.option("--add", "add", is_flag=True,
                  help="Add the events that are not already in the timeline, as a new version.")
    @spoken
    def timeline(report_id: int, file, zone: str | None, day_first: bool | None,
                 add: bool) -> None:
        """Find timeline events in FILE (a Slack export, a Teams or Google Chat paste, lines
        that start with a time, a CSV log, an e-mail thread); print one per line: time, kind,
        description, and "duplicate" for those already in the report. See
        docs/timeline-import.md."""
        stored = get_store().get(report_id)
        if stored is None:
            raise click.ClickException(gettext("There is no report %(id)s.", id=report_id))
        if zone is not None and not is_timezone(zone):
            raise click.ClickException(gettext("%(zone)s is not a time zone (e.g. Europe/Paris, "
                                               "UTC).", zone=zone))
        reading = read_timeline(decode_upload(file.read()),
                                Settings(timezone=zone, day_first=day_first),
                                context_of(stored.report, today()))
        for problem in reading.problems:
            click.echo(problem, err=True)
        if reading.needs_timezone:
            click.echo(gettext("Some times carry no zone: read as %(zone)s time (--timezone to "
                               "choose another).", zone=reading.timezone), err=True)
        for event in reading.events:
            mark = "\t" + gettext("duplicate") if event.duplicate else ""
            click.echo(f"{event.at.isoformat()}\t{event.kind}\t{one_line(event.description)}"
                       f"{mark}")
        if add:
            new = [Chosen(e.at, e.kind, e.description) for e in reading.events
                   if not e.duplicate]
            if not new:
                click.echo(gettext("Nothing to add: every event is already in the timeline."))
                return
            if stored.report.status == "published":
                raise click.ClickException(gettext(PUBLISHED_MESSAGE))
            try:
                saved = get_store().save(report_id, with_events(stored.report, new),
                                         expected_version=stored.version,
                                         note=f"Added {len(new)} events from text", kind="import")
            except (TooManyRows, ReportPublished) as error:
                raise click.ClickException(str(error)) from None
            except VersionConflict:
                raise click.ClickException(gettext(
                    "Someone saved the report while this ran; nothing was added. Run it "
                    "again.")) from None
            if saved is None:
                raise click.ClickException(gettext("There is no report %(id)s.", id=report_id))
            click.echo(ngettext("Added %(num)d event to report %(id)s (version %(version)s).",
                                "Added %(num)d events to report %(id)s (version %(version)s).",
                                len(new), id=report_id, version=saved.version))

    @reports.command("export")
    @click.argument("report_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="pdf",
                  show_default=True, help="The kind of file to write.")
    @click.option("--copy", "copy", type=click.Choice(COPIES), default=CLIENT_COPY,
                  show_default=True,
                  help="client: internal items left out; internal: everything, marked INTERNAL.")
    @spoken
    def export(report_id: int, fmt: str, copy: str) -> None:
        """Export a saved report into the shared folder; prints the path written.

        A Google Doc goes to the Drive folder and prints its link; with Drive set up, a PDF
        goes to both and prints the path, then the link. The internal copy is a file of its
        own, next to the client copy.
        """
        # A job like the page's: run here, unless an app's export worker takes it first.
        job = request_export(report_id, fmt, copy, requested_by="command line")
        if job is None:
            raise click.ClickException(gettext("There is no report %(id)s.", id=report_id))
        job = wait_for_export(job.id)
        if job is None:
            raise click.ClickException(gettext("There is no report %(id)s.", id=report_id))
        if not job.finished:
            raise click.ClickException(gettext(
                "The export is still running (job %(job)s); its result will be on the "
                "report's page.", job=job.id))
        if job.outcome is None:
            raise click.ClickException(
                gettext("The export was interrupted: the server stopped while making it.")
                if job.interrupted else gettext("The export failed: %(error)s", error=job.error))
        outcome = JobOutcome.from_json(job.outcome)
        if outcome.failure is not None:
            raise click.ClickException(gettext("%(failure)s Cause: %(cause)s",
                                               failure=shown(outcome.failure),
                                               cause=outcome.failure_cause))
        if outcome.local_path is not None:
            click.echo(outcome.local_path)
        if outcome.drive_notice is not None:
            if outcome.drive_link is None:
                raise click.ClickException(shown(outcome.drive_notice))
            if outcome.drive_replaced_missing:
                click.echo(shown(outcome.drive_notice), err=True)
            click.echo(outcome.drive_link)

    @reports.command("backup")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--with-accounts", is_flag=True,
                  help="Also back up every account, password hashes included, so people can "
                       "sign in after a restore: keep such a backup as private as the database.")
    @spoken
    def backup_reports(folder: Path, with_accounts: bool) -> None:
        """Write the whole state into a new, empty FOLDER.

        Every report (the bin included) with its id, team, version, history, review comments
        and export records, as plain JSON files, and a manifest with each file's checksum,
        signed with this instance's secret key. The backup is not encrypted. Accounts only
        with --with-accounts. See docs/backups.md.
        """
        try:
            result = backup(get_store(), folder, app.config["SECRET_KEY"],
                            with_accounts=with_accounts)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        accounts = (gettext("accounts not included (--with-accounts)") if result.accounts is None
                    else _accounts(result.accounts))
        click.echo(gettext("Backed up %(reports)s (%(in_bin)s in the bin), %(revisions)s, "
                           "%(comments)s, %(exports)s, %(accounts)s to %(folder)s",
                           reports=_reports(result.reports), in_bin=result.in_bin,
                           revisions=_revisions(result.revisions),
                           comments=_comments(result.comments),
                           exports=_export_records(result.exports), accounts=accounts,
                           folder=result.folder))

    @reports.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--as-new", is_flag=True,
                  help="Add each report of the backup as a new report (new id, history and "
                       "comments kept, export records left out) next to the reports already "
                       "here.")
    @click.option("--ignore-signature", is_flag=True,
                  help="Restore a backup that is unsigned or signed with another secret key. "
                       "Damaged files are still found, deliberate changes no longer are: only "
                       "for a backup you trust.")
    @spoken
    def restore_reports(folder: Path, as_new: bool, ignore_signature: bool) -> None:
        """Restore a backup FOLDER whole, or nothing of it.

        Into an instance without reports (the bin counts) it brings back every report with
        its id, version, history, comments, export records and bin state, and the accounts
        if the backup has them (an account whose name is already here is left as it is).
        An instance with reports is refused unless --as-new. The manifest's signature must
        match this instance's secret key: to restore a backup made elsewhere, run this with
        HINDSIGHT_SECRET_KEY set to that instance's key. See docs/backups.md.
        """
        try:
            result = restore(get_store(), folder, app.config["SECRET_KEY"], as_new=as_new,
                             ignore_signature=ignore_signature)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        counts = gettext("(%(in_bin)s in the bin), %(revisions)s, %(comments)s, %(exports)s, "
                         "%(accounts)s", in_bin=result.in_bin,
                         revisions=_revisions(result.revisions),
                         comments=_comments(result.comments),
                         exports=_export_records(result.exports),
                         accounts=_accounts(result.accounts_added))
        reports = _reports(len(result.ids))
        if as_new:
            ids = " ".join(f"{old}->{new}" for old, new in result.ids.items())
            click.echo(gettext("Restored %(reports)s, each as a new report, %(counts)s; new "
                               "ids: %(ids)s", reports=reports, counts=counts, ids=ids))
        else:
            click.echo(gettext("Restored %(reports)s %(counts)s; ids kept: %(ids)s",
                               reports=reports, counts=counts,
                               ids=" ".join(map(str, result.ids))))
        if result.accounts_kept:
            click.echo(gettext("Accounts already here, left as they are: %(names)s",
                               names=", ".join(result.accounts_kept)))

    @users_group.command("add")
    @click.argument("username")
    @click.option("--role", type=click.Choice(list(ROLES)), default="author", show_default=True)
    @click.option("--name", "display_name", default="", help="The name shown on revisions.")
    @click.option("--team", default=None,
                  help="An author edits only this team's reports. A viewer with teams (one, or "
                       "several as acme,globex) reads only those teams' reports.")
    @click.password_option(help="Asked for when not given (at least 12 characters).")
    @spoken
    def add_user(username: str, role: str, display_name: str, team: str | None,
                 password: str) -> None:
        """Create an account for password sign-in (HINDSIGHT_AUTH=password)."""
        try:
            get_users().add(
                username, role=role, password=password, display_name=display_name, team=team
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(gettext("Account %(name)s created (%(role)s).", name=repr(username),
                           role=role))

    @db.command("upgrade")
    @spoken
    def db_upgrade() -> None:
        """Bring the database schema up to date (the app also does this when it starts)."""
        click.echo(gettext("The database is up to date."))

    app.cli.add_command(reports)
    app.cli.add_command(db)
    app.cli.add_command(users_group)
