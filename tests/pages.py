"""Pages read as pages: the guided page's form values found with a real HTML parser, and posts
made as the browser makes them (with the CSRF token and the version the page was based on);
the app's services as its views reach them."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from accounts.users import UserStore
from reports.exports_log import ExportLog
from reports.store import ReportStore
from services import get_exports, get_store, get_users


class _FormValues(HTMLParser):
    """The values a browser would send: inputs (ticked boxes only), text areas, selects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name")
        if tag == "input" and name:
            kind = (named.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in named:
                return
            if kind not in ("submit", "button", "file"):
                self.values[name] = named.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in named:
            self.values[self._select] = named.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            value = self.values[self._textarea] + data
            # As browsers do, a line break right after <textarea> is not part of the value.
            # (The HTML source's CR LF counts as one line break, as browsers read it.)
            self.values[self._textarea] = value.removeprefix("\r").removeprefix("\n") if not (
                self.values[self._textarea]) else value


def form_values(html: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(html)
    return parser.values


def base_version(client: FlaskClient, url: str) -> str:
    """The version the guided page at ``url`` is based on, read from its hidden input."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return form_values(page.get_data(as_text=True))["base_version"]


def post_page(client: FlaskClient, url: str, data: dict[str, Any],
              headers: dict[str, str] | None = None) -> TestResponse:
    """Post to the guided page as its browser would: based on the version it shows now."""
    if "base_version" not in data:
        data = {**data, "base_version": base_version(client, url)}
    return client.post(url, data=data, headers=headers or {})


class OpenPage:
    """One open guided page: its own browser (session) on ``app``, saving as the page's script
    does, over the version it last had acknowledged."""

    def __init__(self, app: Flask, report_id: int) -> None:
        self.client: FlaskClient = app.test_client()
        self.url = f"/reports/{report_id}"
        self.values = form_values(self.client.get(self.url).get_data(as_text=True))
        self.version = int(self.values["base_version"])

    def autosave(self, **changed: str) -> TestResponse:
        """Send only the inputs ``changed``, as the script does since issue 15."""
        return self._post({"csrf_token": self.values["csrf_token"], "changes": "1",
                           "sent": ",".join(changed), **changed})

    def autosave_whole_page(self, **changed: str) -> TestResponse:
        """Send every input of the page, with ``changed``, as the script did before."""
        return self._post({**self.values, **changed})

    def _post(self, data: dict[str, str]) -> TestResponse:
        answer = self.client.post(self.url, headers={"X-Hindsight-Autosave": "1"},
                                  data={**data, "base_version": str(self.version)})
        if answer.status_code == 200:
            self.version = answer.get_json()["version"]
        return answer


def store_of(app: Flask) -> ReportStore:
    """The app's report store, as its views reach it (``services.get_store``)."""
    with app.app_context():
        return get_store()


def users_of(app: Flask) -> UserStore:
    with app.app_context():
        return get_users()


def exports_of(app: Flask) -> ExportLog:
    with app.app_context():
        return get_exports()
