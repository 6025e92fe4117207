"""The shared folder's own table of contents: index.html and index.md, rewritten on every export.

So the folder makes sense without the app: every exported report, newest incident first, with
links to its files (relative, so they work wherever the folder is copied or mounted) and to its
Google Doc. Only files that are really there are listed; both indexes are written atomically.
Each file says which copy it is: the client copy, or the internal copy that is not for clients.

Stakeholders of any team open it, so it is written in the site's language (``HINDSIGHT_LANGUAGE``,
English unless set; the folder's ``language``), whatever the language of the person exporting;
each report keeps its own title as written (docs/languages.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from reports import language as lang
from reports.exports_log import DRIVE, LOCAL, ExportLog, ExportRecord
from reports.language import N_
from reports.model import INTERNAL_COPY, STATUSES
from reports.store import ReportStore

from . import FORMATS
from .folder import SharedFolder
from .naming import INTERNAL_FILES, files_folder
from .viewmodel import Words

INDEX_FILES = ("index.html", "index.md")


@dataclass
class IndexEntry:
    report_id: int
    title: str
    service: str
    started_at: datetime | None
    status: str
    files: list[tuple[str, str]] = field(default_factory=list)  # (label, relative link or URL)


CLIENT_LABEL = N_("client copy")
INTERNAL_LABEL = N_("INTERNAL copy, not for clients")
TITLE = N_("Incident reports")
COLUMNS = (N_("Incident date"), N_("Report"), N_("Service"), N_("Status"), N_("Files"))
NOTHING_YET = N_("No report has been exported yet.")


def _kind(record: ExportRecord, words: Words) -> str:
    label = words(FORMATS[record.format].label) if record.format in FORMATS else record.format
    label = label[:1].upper() + label[1:]
    return words(N_("%(format)s (Google Drive)"), format=label) if record.destination == DRIVE \
        else label


def _label(record: ExportRecord, words: Words) -> str:
    """E.g. "PDF, client copy" or "PDF (Google Drive), INTERNAL copy, not for clients"."""
    copy = INTERNAL_LABEL if record.copy == INTERNAL_COPY else CLIENT_LABEL
    return words(N_("%(kind)s, %(copy)s"), kind=_kind(record, words), copy=words(copy))


def _updated(now: datetime, words: Words) -> str:
    """"Updated 3 October 2026 at 08:00 UTC." in the index's language."""
    return words(N_("Every report exported from Hindsight into this folder, the most recent "
                    "incident first. Updated %(day)s at %(time)s UTC."),
                 day=lang.day(now, words.language), time=lang.clock(now, words.language))


def _day(moment: datetime | None, words: Words) -> str:
    return lang.day(moment, words.language, "short") if moment else "—"


def collect(folder: SharedFolder, log: ExportLog, store: ReportStore,
            language: str = lang.DEFAULT_LANGUAGE) -> list[IndexEntry]:
    entries: dict[int, IndexEntry] = {}
    places: dict[int, set[str]] = {}  # the folders beside each report's exports
    # By kind of file, each client copy just before its internal copy.
    words = Words(language)
    english = Words(lang.DEFAULT_LANGUAGE)  # one order in every language
    records = sorted(log.current_all(), key=lambda r: (_kind(r, english),
                                                       r.copy == INTERNAL_COPY))
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
                report.started_at or report.detected_at,
                words(STATUSES.get(report.status, report.status)),
            )
        link = record.location if record.destination == LOCAL else record.link
        entry.files.append((_label(record, words), link or ""))
        if record.destination == LOCAL:
            places.setdefault(record.report_id, set()).add(files_folder(record.location))
    for report_id, folders in places.items():
        entries[report_id].files.extend(_report_files(folder, folders, words))
    oldest = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(entries.values(), key=lambda e: (e.started_at or oldest, e.report_id),
                     reverse=True)
    return ordered


def _report_files(folder: SharedFolder, folders: set[str], words: Words
                  ) -> list[tuple[str, str]]:
    """The report's files beside its exports (``exporters.publish.write_files``), as links."""
    links = []
    for place in sorted(folders):
        links += [(words(N_("File: %(name)s"), name=name), f"{place}/{name}")
                  for name in folder.files_in(place)]
        inside = f"{place}/{INTERNAL_FILES}"
        links += [(words(N_("File: %(name)s, %(copy)s"), name=name, copy=words(INTERNAL_LABEL)),
                   f"{inside}/{name}") for name in folder.files_in(inside)]
    return links


def _html(entries: list[IndexEntry], now: datetime, words: Words) -> str:
    names = [escape(words(column)) for column in COLUMNS]
    rows = []
    for e in entries:
        links = " · ".join(f'<a href="{escape(href)}">{escape(label)}</a>'
                           for label, href in e.files)
        cells = (_day(e.started_at, words), e.title, e.service or "—", e.status)
        rows.append("<tr>" + "".join(f'<td data-label="{name}">{escape(value)}</td>'
                                     for name, value in zip(names, cells, strict=False))
                    + f'<td data-label="{names[4]}">{links}</td></tr>')
    body = "\n".join(rows) or f'<tr><td colspan="5">{escape(words(NOTHING_YET))}</td></tr>'
    header = "".join(f'<th scope="col">{name}</th>' for name in names)
    return f"""<!doctype html>
<html lang="{words.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(words(TITLE))}</title>
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
<h1>{escape(words(TITLE))}</h1>
<p>{escape(_updated(now, words))}</p>
<table>
<thead><tr>{header}</tr></thead>
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


def _markdown(entries: list[IndexEntry], now: datetime, words: Words) -> str:
    lines = [f"# {_md_text(words(TITLE))}", "", _md_text(_updated(now, words)), "",
             "| " + " | ".join(_md_text(words(column)) for column in COLUMNS) + " |",
             "| --- | --- | --- | --- | --- |"]
    for e in entries:
        links = " · ".join(f"[{_md_text(label)}](<{href.replace('>', '%3E')}>)"
                           for label, href in e.files)
        lines.append(f"| {_md_text(_day(e.started_at, words))} | {_md_text(e.title)} | "
                     f"{_md_text(e.service or '—')} | {_md_text(e.status)} | {links} |")
    if not entries:
        lines.append(f"| | {_md_text(words(NOTHING_YET))} | | | |")
    return "\n".join(lines) + "\n"


def refresh_index(folder: SharedFolder, log: ExportLog, store: ReportStore) -> None:
    """Rewrite index.html and index.md from the export log, in the folder's language; call
    with the folder's lock held."""
    words = Words(folder.language)
    entries = collect(folder, log, store, words.language)
    now = datetime.now(UTC)
    folder.write("index.html", _html(entries, now, words).encode("utf-8"))
    folder.write("index.md", _markdown(entries, now, words).encode("utf-8"))
