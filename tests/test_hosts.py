"""DNS rebinding: only the app's own host names are answered; absolute links name the base URL.

A page on evil.example whose name now resolves to 127.0.0.1 reaches the app with
``Host: evil.example``; it must get neither the reports nor a way to change them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for

from app import create_app
from tests.conftest import csrf_token_from
from tests.pages import store_of


def _app(tmp_path: Path, **config: Any) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, **config})


def _host(host: str) -> dict[str, str]:
    return {"HTTP_HOST": host}


def test_another_host_name_is_refused_on_reads_and_writes(
    app: Flask, sample_document: dict[str, Any]
) -> None:
    client = app.test_client()
    store = store_of(app)
    token = csrf_token_from(client.get("/").get_data(as_text=True))

    page = client.get("/", environ_overrides=_host("evil.example"))
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "HINDSIGHT_SERVER_NAMES" in html and "evil.example" in html
    assert client.get("/api/reports", environ_overrides=_host("evil.example:5000")).status_code \
        == 400

    created = client.post("/reports", data={"csrf_token": token},
                          environ_overrides=_host("evil.example"))
    assert created.status_code == 400
    assert "HINDSIGHT_SERVER_NAMES" in created.get_data(as_text=True)  # not the form-token page
    api = client.post("/api/reports", json=sample_document,
                      environ_overrides=_host("evil.example"))
    assert api.status_code == 400 and "HINDSIGHT_SERVER_NAMES" in api.get_json()["detail"]
    assert store.list() == []  # nothing was made

    # The same requests under this computer's name work.
    assert client.post("/api/reports", json=sample_document).status_code == 201
    report_id = store.list()[0].id
    for path in (f"/reports/{report_id}", f"/api/reports/{report_id}",
                 f"/reports/{report_id}/view", "/static/hindsight.css"):
        assert client.get(path, environ_overrides=_host("evil.example")).status_code == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:8000",
                                  "[::1]", "[::1]:5000", "LOCALHOST:5000", "localhost."])
def test_this_computers_names_are_answered_with_any_port(app: Flask, host: str) -> None:
    assert app.test_client().get("/", environ_overrides=_host(host)).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io",
                                  "[::2]:5000", "reports.example.com.evil.example",
                                  "evilreports.example.com", "reports.example.com@evil"])
def test_names_that_only_look_alike_are_refused(tmp_path: Path, host: str) -> None:
    app = _app(tmp_path, SERVER_NAMES="reports.example.com")
    assert app.test_client().get("/", environ_overrides=_host(host)).status_code == 400


def test_configured_names_are_answered(tmp_path: Path) -> None:
    app = _app(tmp_path, SERVER_NAMES=" reports.example.com, Team.Example.org:8080 ,2001:db8::1")
    client = app.test_client()
    for host in ("reports.example.com", "reports.example.com:8443", "team.example.org",
                 "[2001:db8::1]:5000", "localhost:5000"):
        assert client.get("/", environ_overrides=_host(host)).status_code == 200, host
    assert client.get("/", environ_overrides=_host("evil.example")).status_code == 400
    # Without a base URL, links are made from the first name (sign-in off: plain http).
    assert app.config["BASE_URL"] == "http://reports.example.com"


def test_the_share_link_names_the_base_url_whatever_the_host(
    tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    app = _app(tmp_path, BASE_URL="https://reports.example.com/")
    client = app.test_client()
    response = client.post("/api/reports", json=sample_document)
    report_id = response.get_json()["id"]
    for host in ("127.0.0.1:8000", "localhost", "reports.example.com:9999"):
        html = client.get(f"/reports/{report_id}/view",
                          environ_overrides=_host(host)).get_data(as_text=True)
        share = re.search(r"Share this page with its address: <code>([^<]+)</code>", html)
        assert share, html[:500]
        assert share.group(1) == f"https://reports.example.com/reports/{report_id}/view"
    with app.app_context():  # outside a request too (commands)
        assert url_for("library.index", _external=True) == "https://reports.example.com/"
    # Relative links stay relative.
    with app.test_request_context("/", environ_overrides=_host("127.0.0.1:8000")):
        assert url_for("library.index") == "/"


def test_the_default_base_url_is_this_computers(app: Flask, sample_document: dict[str, Any]
                                                ) -> None:
    client = app.test_client()
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    html = client.get(f"/reports/{report_id}/view",
                      environ_overrides=_host("127.0.0.1:8000")).get_data(as_text=True)
    assert f"<code>http://localhost:5000/reports/{report_id}/view</code>" in html


def test_with_sign_in_on_the_public_name_must_be_set(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        unset = _app(tmp_path / "a", AUTH="password")
    assert "HINDSIGHT_BASE_URL" in caplog.text
    client = unset.test_client()
    refused = client.get("/login", base_url="https://reports.example.com")
    assert refused.status_code == 400 and "HINDSIGHT_BASE_URL" in refused.get_data(as_text=True)
    assert client.get("/login", base_url="https://localhost").status_code == 200

    named = _app(tmp_path / "b", AUTH="password", BASE_URL="https://reports.example.com")
    assert named.test_client().get("/login", base_url="https://reports.example.com"
                                   ).status_code == 200
    # A name alone also makes the base URL, over HTTPS since sign-in is on.
    listed = _app(tmp_path / "c", AUTH="header", TRUSTED_PROXIES="127.0.0.1",
                  SERVER_NAMES="reports.example.com")
    assert listed.config["BASE_URL"] == "https://reports.example.com"


@pytest.mark.parametrize("setting", [{"BASE_URL": "reports.example.com"},
                                     {"BASE_URL": "https://reports.example.com/hindsight"},
                                     {"BASE_URL": "ftp://reports.example.com"},
                                     {"SERVER_NAMES": "reports example com"}])
def test_bad_host_settings_stop_the_app(tmp_path: Path, setting: dict[str, str]) -> None:
    with pytest.raises(RuntimeError, match=r"HINDSIGHT_(BASE_URL|SERVER_NAMES)"):
        _app(tmp_path, **setting)
