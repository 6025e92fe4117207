"""Exports in a real Chromium (issue 15.4): "Exporting…", then the result, with and without
JavaScript, while the author goes on writing.

The app runs with its real export workers and room for one export at a time; the test holds that
one place with a job of its own (as another instance would), so the export asked for from the
page waits for as long as the test wants: what the page shows meanwhile is checked by the order
of events, not by timing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reports.export_jobs import ExportJob, ExportJobs
from reports.model import CLIENT_COPY
from reports.store import make_engine
from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT
from tests.databases import PostgresServer
from tests.test_browser_editor import open_editor, wait_for_script

OTHER_INSTANCE = "another-instance:1"
PATIENCE_MS = 30_000  # generous: the workers look for jobs every few seconds


@pytest.fixture
def export_server(tmp_path: Path, postgres_server: PostgresServer | None,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("HINDSIGHT_EXPORT_LIMIT", "1")  # one export at a time
    server = LiveServer(tmp_path / "instance",
                        database_url=postgres_server.new_database() if postgres_server else None)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class HeldPlace:
    """The one place for an export, taken by a job another instance runs, until ``free``."""

    def __init__(self, server: LiveServer, report_id: int) -> None:
        url = server.database_url or f"sqlite:///{server.instance_path / 'hindsight.sqlite3'}"
        self.engine = make_engine(url)
        self.jobs = ExportJobs(self.engine)
        queued = self.jobs.enqueue(report_id, 1, "html", CLIENT_COPY)
        running = self.jobs.claim_this(queued.id, OTHER_INSTANCE)
        assert running is not None
        self.job: ExportJob = running

    def free(self) -> None:
        assert self.jobs.finish(self.job.id, OTHER_INSTANCE, "{}")
        self.engine.dispose()


def test_with_javascript_the_author_keeps_writing_and_the_result_appears_in_place(
    page: Page, export_server: LiveServer
) -> None:
    report_id = export_server.create_report(SAMPLE_DOCUMENT)
    held = HeldPlace(export_server, report_id)
    open_editor(page, export_server, report_id)
    wait_for_script(page)
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    page.locator("#exports").get_by_role("button", name="Export as Markdown").click()
    status = page.locator("#export-status")
    expect(status).to_contain_text("Exporting the Markdown…")

    summary = page.locator("#summary")
    summary.click()
    summary.press("End")
    summary.press_sequentially(" Written while the export waited.")
    held.free()

    expect(status).to_contain_text("Exported as Markdown", timeout=PATIENCE_MS)
    expect(status.get_by_role("link", name=re.compile(r"\.md$"))).to_have_attribute(
        "href", re.compile(r"/reports/\d+/exports/\d+/download"))
    expect(page.locator("#export-files table.export-list tbody tr")).to_have_count(1)
    assert page.evaluate("() => window.sameDocument === true")  # never reloaded
    expect(summary).to_be_focused()
    expect(summary).to_have_value(re.compile(r"Written while the export waited\.$"))


def test_without_javascript_the_job_page_looks_again_until_the_result(
    nojs_page: Page, export_server: LiveServer
) -> None:
    page = nojs_page
    report_id = export_server.create_report(SAMPLE_DOCUMENT)
    held = HeldPlace(export_server, report_id)
    page.goto(export_server.editor_url(report_id))
    page.locator("#exports").get_by_role("button", name="Export as Markdown").click()

    expect(page).to_have_url(re.compile(rf"/reports/{report_id}/exports/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Exporting the Markdown…")
    expect(page.get_by_role("status")).to_contain_text("waiting its turn")
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    held.free()

    # The page reloads itself, and once the file is made it leads back to the report.
    expect(page).to_have_url(re.compile(rf"/reports/{report_id}$"), timeout=PATIENCE_MS)
    expect(page.locator("main #flash-messages")).to_contain_text("Exported as Markdown")
