"""A populated app for tests that walk every route: two teams' reports, exports, a comment.

The ``acme`` report carries an internal item of every kind with unique markers
(tests/test_internal_copy.py); the ``globex`` report carries a marker of its own, so a viewer
limited to ``acme`` can be shown to never receive it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from exporters.publish import export_to_folder
from reports.attachments import AttachmentStore
from reports.exchange import from_document
from reports.model import INTERNAL_COPY
from services import get_comments, get_export_jobs, get_exports, get_store, shared_folder
from tests.conftest import SAMPLE_DOCUMENT
from tests.people import password_app
from tests.test_internal_copy import internal_document

GLOBEX_MARKER = "GLOBEX-ONLY-MARKER-5521"
CLIENT_MARKER = "CLIENTWORD-ACME-7734"


@dataclass
class Populated:
    app: Flask
    acme: int  # the report with internal markers, team acme
    globex: int  # another team's report
    client_export: int
    internal_export: int
    comment: int
    export_job: int = 0  # a queued export of the acme report
    attachment: int = 0  # a client file of the acme report (an internal one is beside it)

    def values(self, rule: Rule, report_id: int) -> dict[str, Any]:
        """Values for every part of a route's address, pointing at ``report_id``'s things."""
        known: dict[str, Any] = {
            "report_id": report_id, "version": 1, "fmt": "html", "filename": "app.css",
            "export_id": self.client_export, "comment_id": self.comment,
            "job_id": self.export_job, "attachment_id": self.attachment,
        }
        return {name: known[name] for name in rule.arguments}


def populated_app(tmp_path: Path) -> Populated:
    app = password_app(tmp_path)
    globex_document: dict[str, Any] = copy.deepcopy(SAMPLE_DOCUMENT)
    globex_document["title"] = f"Search outage {GLOBEX_MARKER}"
    acme_document = internal_document(copy.deepcopy(SAMPLE_DOCUMENT))
    acme_document["summary"] += f" {CLIENT_MARKER}"
    with app.app_context():
        store = get_store()
        acme = store.create(from_document(acme_document), team="acme")
        globex = store.create(from_document(globex_document), team="globex")
        client = export_to_folder(acme, "html", shared_folder(), get_exports(), store=store)
        internal = export_to_folder(acme, "html", shared_folder(), get_exports(), store=store,
                                    copy=INTERNAL_COPY)
        comment = get_comments().add(acme.id, "understand", "Say when it started.", "Rey")
        job = get_export_jobs().enqueue(acme.id, acme.version, "pdf", INTERNAL_COPY)
        files = AttachmentStore(store.engine)
        attachment = files.add(acme.id, "timeline.txt", b"12:00 first error\n")
        files.add(acme.id, "hosts.txt", b"db-7 internal-evidence\n", internal=True,
                  caption="internal-evidence")
    return Populated(app, acme.id, globex.id, client.record.id, internal.record.id, comment.id,
                     job.id, attachment.id)
