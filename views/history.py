"""Earlier versions of a report, and the bin that deleted reports wait in.

The history lists each revision with who made it, when, what kind of save it was and which
parts it changed; an author's autosaves a few minutes apart are one entry (``reports.store``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from exporters.viewmodel import zone_name
from reports import language as lang
from reports.exchange import is_timezone
from reports.revision_parts import AUTOSAVE, describe, kind_words
from reports.store import BIN_DAYS, RevisionSummary, VersionConflict
from reports.workflow import ReportPublished
from services import get_store
from views.conflicts import LABELS, label_words, report_texts
from views.identity import author_name, current_user
from views.language import interface_language
from views.permissions import AUTHORS, EDIT_REPORT, REVIEW_REPORT, allow

bp = Blueprint("history", __name__)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history, in the words the page shows."""

    version: int
    who: str
    when: str
    started_at: datetime
    saved_at: datetime
    kind: str
    note: str
    changes: str


def _when(first: datetime, last: datetime, timezone: str, language: str = "en") -> str:
    """ "3 Oct 2026 at 09:12 CEST", or for a group "3 Oct 2026, 09:12–09:20 CEST" (in the
    page's language: "3 oct. 2026 à 09 h 12 CEST")."""
    tz = ZoneInfo(timezone if is_timezone(timezone) else "UTC")
    start, end = first.astimezone(tz), last.astimezone(tz)

    def at(moment: datetime) -> str:
        return lang.gettext_for(language, "%(day)s at %(time)s") % {
            "day": lang.day(moment, language, "short"),
            "time": f"{lang.clock(moment, language)} {zone_name(moment)}"}

    if start.replace(second=0, microsecond=0) == end.replace(second=0, microsecond=0):
        return at(end)
    if start.date() == end.date():
        return (f"{lang.day(end, language, 'short')}, {lang.clock(start, language)}–"
                f"{lang.clock(end, language)} {zone_name(end)}")
    return f"{at(start)} – {at(end)}"


def history_entry(revision: RevisionSummary, timezone: str) -> HistoryEntry:
    first = revision.first_saved_at or revision.saved_at
    if revision.kind == AUTOSAVE and revision.saves > 1:
        kind = ngettext("%(num)d autosave", "%(num)d autosaves", revision.saves)
    else:
        kind = gettext(kind_words(revision.kind))
    # A new report "changes" everything it starts with: the kind says enough.
    new_report = revision.kind == "create" or (revision.kind == "import" and revision.version == 1)
    changes = "" if new_report else describe(revision.parts, interface_language())
    note = revision.note or ""
    # The notes the app writes itself say the same as the kind: one phrase instead.
    if revision.kind == "status" and note.startswith("Status: "):
        kind, note = gettext("Status changed to %(status)s",
                             status=gettext(note.removeprefix("Status: "))), ""
    elif revision.kind == "restore" and note.startswith("Restored version "):
        kind, note = gettext("Version %(version)s brought back",
                             version=note.removeprefix("Restored version ")), ""
    elif revision.kind == "import" and note:  # "Added 4 events from text"
        kind, note = note, ""
    return HistoryEntry(
        version=revision.version, who=revision.author or "—",
        when=_when(first, revision.saved_at, timezone, interface_language()), started_at=first,
        saved_at=revision.saved_at, kind=kind, note=note, changes=changes,
    )


def _may_restore(report_id: int) -> bool:
    user = current_user()
    return user is None or user.may_edit_team(get_store().team_of(report_id))


@bp.get("/reports/<int:report_id>/history")
@allow(REVIEW_REPORT)
def history(report_id: int) -> str:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    entries = [history_entry(r, stored.report.timezone)
               for r in get_store().revisions(report_id)]
    return render_template("history.html", stored=stored, entries=entries,
                           may_restore=_may_restore(report_id))


@bp.get("/reports/<int:report_id>/history/<int:version>")
@allow(REVIEW_REPORT)
def revision(report_id: int, version: int) -> str:
    stored = get_store().get(report_id)
    earlier = get_store().revision(report_id, version) if stored else None
    if stored is None or earlier is None:
        abort(404)
    return render_template(
        "revision.html", stored=stored, version=version, report=earlier,
        texts=report_texts(earlier), now=report_texts(stored.report),
        labels={key: label_words(key) for key in LABELS},
        may_restore=_may_restore(report_id),
    )


@bp.post("/reports/<int:report_id>/history/<int:version>/restore")
@allow(EDIT_REPORT)
def restore(report_id: int, version: int) -> Response:
    try:
        restored = get_store().restore_revision(report_id, version, author=author_name())
    except ReportPublished as published:
        flash(str(published))
        return redirect(url_for("history.history", report_id=report_id), code=303)
    except VersionConflict:
        flash(gettext("Someone saved this report a moment ago. Look at the history again, then "
                      "restore."))
        return redirect(url_for("history.history", report_id=report_id), code=303)
    if restored is None:
        abort(404)
    flash(gettext("Version %(version)s is back. It was saved as version %(new)s; nothing newer "
                  "was lost, it is still in the history.", version=version,
                  new=restored.version))
    return redirect(url_for("editor.edit", report_id=report_id), code=303)


@bp.post("/reports/<int:report_id>/delete")
@allow(EDIT_REPORT)
def delete(report_id: int) -> Response:
    if not get_store().delete(report_id):
        abort(404)
    flash(gettext("The report is in the bin. You can put it back within %(days)s days.",
                  days=BIN_DAYS))
    return redirect(url_for("history.bin"), code=303)


@bp.get("/bin")
@allow(AUTHORS)
def bin() -> str:
    return render_template("bin.html", entries=get_store().bin(), days=BIN_DAYS)


@bp.post("/bin/<int:report_id>/restore")
@allow(EDIT_REPORT)
def undelete(report_id: int) -> Response:
    if not get_store().undelete(report_id):
        abort(404)
    flash(gettext("The report is back in your list."))
    return redirect(url_for("editor.edit", report_id=report_id), code=303)
