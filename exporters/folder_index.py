"""The shared folder's own table of contents: index.html and index.md, rewritten on every export.

So the folder makes sense without the app: every exported report, newest incident first, with
links to its files (relative, so they work wherever the folder is copied or mounted) and to its
Google Doc. Only files that are really there are listed; both indexes are written atomically.
Each file says which copy it is: the client copy, or the internal copy that is not for clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from reports.exports_log import DRIVE, LOCAL, ExportLog, ExportRecord
from reports.model import INTERNAL_COPY
from reports.store import ReportStore

from . import FORMATS
from .folder import SharedFolder
from .naming import INTERNAL_FILES, files_folder

INDEX_FILES = ("index.html", "index.md")


@dataclass
class IndexEntry:
    report_id: int
    title: str
    service: str
    started_at: datetime | None
    status: str
    files: list[tuple[str, str]] = field(default_factory=list)  # (label, relative link or URL)


CLIENT_LABEL = "client copy"
INTERNAL_LABEL = "INTERNAL copy, not for clients"


def _kind(record: ExportRecord) -> str:
    label = FORMATS[record.format].label if record.format in FORMATS else record.format
    label = label[:1].upper() + label[1:]
    return f"{label} (Google Drive)" if record.destination == DRIVE else label


def _label(record: ExportRecord) -> str:
    """E.g. "PDF, client copy" or "PDF (Google Drive), INTERNAL copy, not for clients"."""
    return f"{_kind(record)}, {INTERNAL_LABEL if record.copy == INTERNAL_COPY else CLIENT_LABEL}"


def collect(folder: SharedFolder, log: ExportLog, store: ReportStore) -> list[IndexEntry]:
    entries: dict[int, IndexEntry] = {}
    places: dict[int, set[str]] = {}  # the folders beside each report's exports
    # By kind of file, each client copy just before its internal copy.
    records = sorted(log.current_all(), key=lambda r: (_kind(r), r.copy == INTERNAL_COPY))
    for record in records:
        if record.destination == LOCAL and not folder.exists(record.location):
            continue  # removed by hand or replaced: never list a file that is not there
        if record.destination == DRIVE and not record.link:
            continue
        entry = entries.get(record.report_id)
        if entry is None:
            stored = store.get(record.report_id)
            if stored is None:  # in the bin
                continue
            report = stored.report
            entry = entries[record.report_id] = IndexEntry(
                record.report_id, report.display_title, report.service,
                report.started_at or report.detected_at, report.status,
            )
        link = record.location if record.destination == LOCAL else record.link
        entry.files.append((_label(record), link or ""))
        if record.destination == LOCAL:
            places.setdefault(record.report_id, set()).add(files_folder(record.location))
    for report_id, folders in places.items():
        entries[report_id].files.extend(_report_files(folder, folders))
    oldest = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(entries.values(), key=lambda e: (e.started_at or oldest, e.report_id),
                     reverse=True)
    return ordered


def _report_files(folder: SharedFolder, folders: set[str]) -> list[tuple[str, str]]:
    """The report's files beside its exports (``exporters.publish.write_files``), as links."""
    links = []
    for place in sorted(folders):
        links += [(f"File: {name}", f"{place}/{name}") for name in folder.files_in(place)]
        inside = f"{place}/{INTERNAL_FILES}"
        links += [(f"File: {name}, {INTERNAL_LABEL}", f"{inside}/{name}")
                  for name in folder.files_in(inside)]
    return links


def _html(entries: list[IndexEntry], now: datetime) -> str:
    rows = []
    for e in entries:
        when = e.started_at.strftime("%Y-%m-%d") if e.started_at else "—"
        links = " · ".join(f'<a href="{escape(href)}">{escape(label)}</a>'
                           for label, href in e.files)
        rows.append(f'<tr><td data-label="Incident date">{escape(when)}</td>'
                    f'<td data-label="Report">{escape(e.title)}</td>'
                    f'<td data-label="Service">{escape(e.service or "—")}</td>'
                    f'<td data-label="Status">{escape(e.status)}</td>'
                    f'<td data-label="Files">{links}</td></tr>')
    body = "\n".join(rows) or '<tr><td colspan="5">No report has been exported yet.</td></tr>'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident reports</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; color: #1b1f24; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .5rem; border-bottom: 1px solid #b8c0cc;
          vertical-align: top; }}
a {{ color: #1a56a6; overflow-wrap: anywhere; }}
/* On a phone each report is a card: the cells one under another, each named. */
@media (max-width: 40rem) {{
  thead {{ position: absolute; left: -999px; }}
  tr, td {{ display: block; }}
  tr {{ border-bottom: 1px solid #b8c0cc; padding: .5rem 0; }}
  td {{ border: 0; padding: .15rem 0; }}
  td::before {{ content: attr(data-label) ": "; font-weight: 600; }}
}}
</style>
</head>
<body>
<main>
<h1>Incident reports</h1>
<p>Every report exported from Hindsight into this folder, the most recent incident first.
Updated {escape(now.strftime("%Y-%m-%d %H:%M"))} UTC.</p>
<table>
<thead><tr><th scope="col">Incident date</th><th scope="col">Report</th>
<th scope="col">Service</th><th scope="col">Status</th><th scope="col">Files</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</main>
</body>
</html>
"""


def _md_text(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, brackets or HTML."""
    for char in "\\|[]<>*_`":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _markdown(entries: list[IndexEntry], now: datetime) -> str:
    lines = ["# Incident reports", "",
             "Every report exported from Hindsight into this folder, the most recent incident "
             f"first. Updated {now:%Y-%m-%d %H:%M} UTC.", "",
             "| Incident date | Report | Service | Status | Files |",
             "| --- | --- | --- | --- | --- |"]
    for e in entries:
        when = e.started_at.strftime("%Y-%m-%d") if e.started_at else "—"
        links = " · ".join(f"[{_md_text(label)}](<{href.replace('>', '%3E')}>)"
                           for label, href in e.files)
        lines.append(f"| {when} | {_md_text(e.title)} | {_md_text(e.service or '—')} | "
                     f"{e.status} | {links} |")
    if not entries:
        lines.append("| | No report has been exported yet. | | | |")
    return "\n".join(lines) + "\n"


def refresh_index(folder: SharedFolder, log: ExportLog, store: ReportStore) -> None:
    """Rewrite index.html and index.md from the export log; call with the folder's lock held."""
    entries = collect(folder, log, store)
    now = datetime.now(UTC)
    folder.write("index.html", _html(entries, now).encode("utf-8"))
    folder.write("index.md", _markdown(entries, now).encode("utf-8"))
