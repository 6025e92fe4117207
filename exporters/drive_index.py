"""The Drive folder's own table of contents: a Google Doc, "Incident reports — index".

As the local folder's index.html does (``exporters.folder_index``), it lists every report
exported into the folder, the most recent incident first, with its date, service and status and
links to its Doc and PDF, each labelled client copy or internal copy. It is made from what is
really in the folder: one query lists every file Hindsight made there (they all carry Hindsight's
mark, ``gdrive.MARK_PROPERTY``), and each file's key says which report, format and copy it is.
A report moved to the bin, or a file whose key names a report that is not this one any more
(ids reused after a restore), is left out. The index Doc is found by its own key and updated in
place, so its link never changes.

A report's files folder (``exporters.drive_files``) is in the folder too, and is linked beside
its Doc and PDF; its internal-only folder, which the folder names in an app property, is linked
with the internal copy's label.

Like index.html, it is in the site's language (``HINDSIGHT_LANGUAGE``), each report's title as
written; its name too ("Rapports d’incident — index").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from reports import language as lang
from reports.exchange import zone
from reports.language import N_
from reports.model import CLIENT_COPY, INTERNAL_COPY, STATUSES
from reports.store import ReportStore

from .drive_files import INTERNAL_HINT
from .gdrive import DriveClient, DriveFile, Listed
from .viewmodel import Words

INDEX_NAME = N_("Incident reports — index")
INDEX_KEY = "hindsight:index"
_KEY = re.compile(
    r"hindsight:(\d+):(\d{8}T\d{6}\.\d{6}):(gdoc|pdf|docx|files)(?::(client|internal))?")
WHAT = {"gdoc": N_("Google Doc"), "pdf": "PDF", "docx": N_("Word document")}
COPY_LABEL = {CLIENT_COPY: N_("client copy"), INTERNAL_COPY: N_("INTERNAL copy, not for clients")}
FILES_LABEL = N_("The report's files (folder)")
INTERNAL_FILES_LABEL = N_("Internal-only files (folder), %(copy)s")


@dataclass
class Entry:
    report_id: int
    title: str
    service: str
    started_at: datetime | None
    day: str
    status: str
    files: list[tuple[str, str]] = field(default_factory=list)  # (label, link)


def parse_key(key: str) -> tuple[int, str, str, str] | None:
    """(report id, creation stamp, format, copy) from an export's key, or None."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    return int(match[1]), match[2], match[3], match[4] or CLIENT_COPY


def collect(listed: list[Listed], store: ReportStore,
            language: str = lang.DEFAULT_LANGUAGE) -> list[Entry]:
    words = Words(language)
    entries: dict[int, Entry] = {}
    order = {"gdoc": 0, "pdf": 1, "docx": 2, "files": 3}
    found = [(parsed, item) for item in listed if (parsed := parse_key(item.key)) is not None
             and not (parsed[2] == "files" and parsed[3] == INTERNAL_COPY)]
    found.sort(key=lambda pair: (order[pair[0][2]], pair[0][3] == INTERNAL_COPY))
    for (report_id, stamp, fmt, copy), item in found:
        entry = entries.get(report_id)
        if entry is None:
            stored = store.get(report_id)
            if stored is None or stored.created_at.strftime("%Y%m%dT%H%M%S.%f") != stamp:
                continue  # in the bin, or another report under a reused id
            report = stored.report
            moment = report.started_at or report.detected_at
            day = (lang.day(moment.astimezone(zone(report)), words.language, "short")
                   if moment else "—")
            entry = entries[report_id] = Entry(
                report_id, report.display_title, report.service.strip(), moment, day,
                words(STATUSES.get(report.status, report.status)))
        if fmt == "files":
            entry.files.append((words(FILES_LABEL), item.link))
            inside = item.properties.get(INTERNAL_HINT)
            if inside:
                entry.files.append((words(INTERNAL_FILES_LABEL,
                                          copy=words(COPY_LABEL[INTERNAL_COPY])),
                                    folder_link(inside)))
            continue
        what = words(WHAT[fmt])
        entry.files.append((words(N_("%(kind)s, %(copy)s"), kind=what[:1].upper() + what[1:],
                                  copy=words(COPY_LABEL[copy])), item.link))
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(entries.values(), key=lambda e: (e.started_at or oldest, e.report_id),
                  reverse=True)


def folder_link(folder_id: str) -> str:
    """The address Drive shows a folder at."""
    return f"https://drive.google.com/drive/folders/{quote(folder_id, safe='')}"


def render(entries: list[Entry], now: datetime,
           language: str = lang.DEFAULT_LANGUAGE) -> str:
    """The index as HTML for Google Docs' importer: inline styles, a plain table."""
    words = Words(language)
    cell = "border:1px solid #d5dbe3;padding:4pt 5pt;vertical-align:top;text-align:left"
    head = f"{cell};background-color:#f3f5f8;color:#5f6b7a;font-weight:bold;font-size:9pt"
    widths = ((N_("Incident date"), 14), (N_("Report"), 30), (N_("Service"), 14),
              (N_("Status"), 12), (N_("Files"), 30))
    header = "".join(f'<th style="{head};width:{w}%" width="{w}%">{escape(words(t))}</th>'
                     for t, w in widths)
    rows = []
    for e in entries:
        links = "<br>".join(f'<a href="{escape(link)}" style="color:#1f5f8b">{escape(label)}</a>'
                            for label, link in e.files)
        values = (escape(e.day), escape(e.title), escape(e.service or "—"), escape(e.status),
                  links)
        rows.append("<tr>" + "".join(
            f'<td style="{cell};width:{w}%" width="{w}%">{v}</td>'
            for (_, w), v in zip(widths, values, strict=True)) + "</tr>")
    if not rows:
        nothing = words(N_("No report has been exported here yet."))
        rows.append(f'<tr><td style="{cell}" colspan="5">{escape(nothing)}</td></tr>')
    updated = words(N_("Every report exported from Hindsight into this folder, the most recent "
                       "incident first. Updated %(day)s at %(time)s UTC; Hindsight rewrites this "
                       "document after every export, so changes made here are lost."),
                    day=lang.day(now, words.language), time=lang.clock(now, words.language))
    return (
        f'<!doctype html>\n<html lang="{words.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(words(INDEX_NAME))}</title>\n</head>\n"
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#1b2430;font-size:11pt">\n'
        '<h1 style="font-family:Georgia,\'Times New Roman\',serif;font-size:20pt">'
        f"{escape(words(N_('Incident reports')))}</h1>\n"
        f"<p>{escape(updated)}</p>\n"
        '<table style="border-collapse:collapse;width:100%" width="100%">\n'
        f"<tr>{header}</tr>\n" + "\n".join(rows) + "\n</table>\n</body>\n</html>\n"
    )


def refresh_drive_index(client: DriveClient, store: ReportStore,
                        now: datetime | None = None,
                        language: str = lang.DEFAULT_LANGUAGE) -> DriveFile:
    """Rewrite the folder's index Doc from what is in the folder, in ``language`` (the site's);
    its link stays the same."""
    listed = client.list_made()
    current = next((item for item in listed if item.key == INDEX_KEY), None)
    html = render(collect(listed, store, language), now or datetime.now(UTC), language)
    return client.upload_doc(lang.gettext_for(language, INDEX_NAME), html,
                             current.id if current else None, key=INDEX_KEY)
