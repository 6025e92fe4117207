"""How long a PDF export takes, by number of timeline rows, and how much memory it needs.

For 10, 100 and 1,000 timeline rows (and 20 action items) it measures, each size in its own
process so peak memory is that size's alone:

- html: rendering the report's HTML (view-model, sanitised Markdown, template) alone;
- pdf: the whole export as the app does it: HTML, WeasyPrint, the atomic write into a shared
  folder and the row in the exports log (SQLite);
- the ratio pdf / html, and the process's peak resident memory (ru_maxrss).

Bounded: few repeats for the big sizes, and each process is stopped after ``--timeout`` seconds.

    .venv/bin/python -m bench.bench_export [--sizes 10 100 1000] [--timeout 300]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.timing import median_ms

REPEATS = {10: 7, 100: 5, 1000: 3}


def _report(rows: int):  # type: ignore[no-untyped-def]
    from reports.model import ActionItem, Report, TimelineEvent

    start = datetime(2026, 10, 3, 8, 0, tzinfo=UTC)
    return Report(
        title="Benchmark: checkout unavailable", service="checkout", severity="SEV2",
        audience="Acme Retail", authors=["Dana Lee"], timezone="Europe/Paris",
        started_at=start, resolved_at=start + timedelta(minutes=rows),
        apology="We are sorry. " * 20, summary="A **summary** with a [link](https://a.example). "
        * 20,
        timeline=[
            TimelineEvent(at=start + timedelta(minutes=i), kind="other",
                          description=f"Event {i}: the *gateway* pool was checked again.",
                          contributing=i % 9 == 0)
            for i in range(rows)
        ],
        actions=[
            ActionItem(description=f"Action {i}: automate the failover.", owner=f"Team {i}",
                       priority="high", due=date(2026, 11, 1 + i), status="agreed",
                       ticket=f"https://tracker.example.com/OPS-{i}")
            for i in range(20)
        ],
    )


def child(rows: int, repeat: int) -> dict[str, float]:
    """One size, measured in this process; returns the figures."""
    from exporters.folder import SharedFolder
    from exporters.publish import export_to_folder
    from exporters.render import render_html
    from reports.exports_log import ExportLog
    from reports.migrate import upgrade
    from reports.model import Report
    from reports.store import ReportStore, make_engine

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = _report(rows)
    with tempfile.TemporaryDirectory() as work:
        engine = make_engine(f"sqlite:///{Path(work) / 'bench.sqlite3'}")
        upgrade(engine)
        # The store keeps at most 500 rows a list (reports/limits.py); the export has no limit,
        # so the big report is handed over directly, under the id of a stored one.
        stored = replace(ReportStore(engine).create(Report()), report=report)
        folder, log = SharedFolder(Path(work) / "shared"), ExportLog(engine)
        html_ms = median_ms(lambda: render_html(report, for_pdf=True), repeat * 3)
        pdf_ms = median_ms(lambda: export_to_folder(stored, "pdf", folder, log), repeat)
        size = next(folder.root.rglob("*.pdf")).stat().st_size
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"rows": rows, "html_ms": html_ms, "pdf_ms": pdf_ms, "pdf_kb": size / 1024,
            "peak_mb": peak / 1024, "before_mb": baseline / 1024, "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.repeat)))
        return

    print("rows   html ms   pdf export ms   ratio   ms/row   pdf KiB   peak RSS MiB (start)")
    for rows in args.sizes:
        repeat = REPEATS.get(rows, 3)
        command = [sys.executable, "-m", "bench.bench_export", "--child", str(rows),
                   "--repeat", str(repeat)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=True,
                                  timeout=args.timeout, cwd=Path(__file__).parent.parent)
        except subprocess.TimeoutExpired:
            print(f"{rows:5d}   stopped after {args.timeout:.0f} s")
            continue
        except subprocess.CalledProcessError as error:
            print(f"{rows:5d}   failed:\n{error.stderr}")
            continue
        f = json.loads(done.stdout.strip().splitlines()[-1])
        ratio = f["pdf_ms"] / f["html_ms"]
        print(f"{rows:5d}  {f['html_ms']:8.1f}  {f['pdf_ms']:14.1f}  {ratio:6.1f}"
              f"  {f['pdf_ms'] / rows:7.1f}  {f['pdf_kb']:8.0f}  {f['peak_mb']:8.0f} "
              f"({f['before_mb']:.0f})")
    print("median of 7/5/3 runs (10/100/1,000 rows) after one warm-up; html = render_html alone")


if __name__ == "__main__":
    main()
