"""Who may do what, in each sign-in mode."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.ratelimit import FailureLimit
from app import create_app
from tests.conftest import csrf_token_from
from tests.pages import store_of, users_of

PASSWORD = "correct horse battery"


def _app(tmp_path: Path, **config: Any) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, **config})


@pytest.fixture
def password_app(tmp_path: Path) -> Flask:
    app = _app(tmp_path, AUTH="password")
    accounts = users_of(app)
    accounts.add("dana", role="author", password=PASSWORD, display_name="Dana Lee", team="pay")
    accounts.add("sam", role="author", password=PASSWORD, team="search")
    accounts.add("val", role="viewer", password=PASSWORD)
    accounts.add("rey", role="reviewer", password=PASSWORD)
    return app


def _https_client(app: Flask) -> FlaskClient:
    """Over HTTPS, CSRF checks also want a same-site Referer, as browsers send."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


def _login(app: Flask, username: str, password: str = PASSWORD) -> tuple[FlaskClient, Any]:
    client = _https_client(app)
    page = client.get("/login", base_url="https://localhost")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login?next=/reports", base_url="https://localhost",
        data={"csrf_token": token, "username": username, "password": password},
    )
    return client, response


def test_sign_in_off_answers_only_this_computer(client: FlaskClient) -> None:
    assert client.get("/").status_code == 200
    assert "only answers this computer" in client.get("/").get_data(as_text=True)
    remote = client.get("/", environ_overrides={"REMOTE_ADDR": "192.0.2.10"})
    assert remote.status_code == 403


def test_password_sign_in_and_roles(password_app: Flask) -> None:
    anonymous = password_app.test_client()
    response = anonymous.get("/", base_url="https://localhost")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.get("/api/reports", base_url="https://localhost").status_code == 401

    dana, response = _login(password_app, "dana")
    assert response.status_code == 302 and response.headers["Location"] == "/reports"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = dana.get("/", base_url="https://localhost").get_data(as_text=True)
    assert "Dana Lee (author)" in home
    token = csrf_token_from(home)
    created = dana.post("/reports", base_url="https://localhost", data={"csrf_token": token})
    url = created.headers["Location"]
    saved = dana.post(url, base_url="https://localhost",
                      data={"csrf_token": token, "title": "Ours", "base_version": "1"})
    assert saved.status_code == 303
    store = store_of(password_app)
    report_id = int(url.rsplit("/", 1)[1])
    assert store.team_of(report_id) == "pay"
    assert store.revisions(report_id)[0].author == "Dana Lee"

    # Another team's author may read it but not change it; a viewer only reads.
    for username in ("sam", "val"):
        other, _ = _login(password_app, username)
        page = other.get(url, base_url="https://localhost", follow_redirects=True)
        assert page.status_code == 200
        assert "read-only view for stakeholders" in page.get_data(as_text=True)
        home = other.get("/", base_url="https://localhost").get_data(as_text=True)
        token = csrf_token_from(home)
        refused = other.post(url, base_url="https://localhost",
                             data={"csrf_token": token, "title": "Theirs"})
        assert refused.status_code == 403
    viewer, _ = _login(password_app, "val")
    home = viewer.get("/", base_url="https://localhost").get_data(as_text=True)
    assert "Start a new report" not in home  # viewers only read
    token = csrf_token_from(home)
    assert viewer.post("/reports", base_url="https://localhost",
                       data={"csrf_token": token}).status_code == 403
    assert store.get(report_id).report.title == "Ours"  # type: ignore[union-attr]


def test_wrong_passwords_are_rate_limited(password_app: Flask) -> None:
    for _ in range(5):
        _, response = _login(password_app, "dana", "wrong password!")
        assert response.status_code == 400
        assert "do not match" in response.get_data(as_text=True)
    _, response = _login(password_app, "dana")  # even the right password waits now
    assert response.status_code == 429 and "Too many attempts" in response.get_data(as_text=True)


def test_sessions_expire(password_app: Flask) -> None:
    client, _ = _login(password_app, "dana")
    with client.session_transaction(base_url="https://localhost") as session:
        session["signed_in_at"] = "2020-01-01T00:00:00+00:00"
    response = client.get("/", base_url="https://localhost")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_never_redirects_to_another_site(password_app: Flask) -> None:
    client = _https_client(password_app)
    token = csrf_token_from(client.get("/login", base_url="https://localhost").get_data(True))
    response = client.post("/login?next=//evil.example/x", base_url="https://localhost",
                           data={"csrf_token": token, "username": "dana", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_api_clients_use_basic_auth(password_app: Flask, sample_document: dict[str, Any]) -> None:
    client = password_app.test_client()
    good = base64.b64encode(f"dana:{PASSWORD}".encode()).decode()
    bad = base64.b64encode(b"dana:nope").decode()
    response = client.post("/api/reports", json=sample_document, base_url="https://localhost",
                           headers={"Authorization": f"Basic {good}"})
    assert response.status_code == 201
    response = client.get("/api/reports", base_url="https://localhost",
                          headers={"Authorization": f"Basic {bad}"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"]


def test_header_mode_trusts_only_the_named_proxy(tmp_path: Path) -> None:
    app = _app(tmp_path, AUTH="header", TRUSTED_PROXIES="127.0.0.1", DEFAULT_ROLE="author",
               COOKIE_SECURE="0")
    client = app.test_client()
    from_proxy = client.get("/", headers={"X-Forwarded-User": "kim@example.com"})
    assert from_proxy.status_code == 200
    assert "kim@example.com (author)" in from_proxy.get_data(as_text=True)
    spoofed = client.get("/", headers={"X-Forwarded-User": "kim@example.com"},
                         environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert spoofed.status_code == 401
    assert client.get("/").status_code == 401  # from the proxy, but nobody named


def test_bad_auth_settings_stop_the_app(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="HINDSIGHT_AUTH"):
        _app(tmp_path, AUTH="magic")


def test_users_add_command(tmp_path: Path) -> None:
    app = _app(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "add", "lee", "--role", "reviewer", "--team", "pay"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert users_of(app).check_password("lee", PASSWORD).role == "reviewer"
    short = runner.invoke(args=["users", "add", "kim"], input="short\nshort\n")
    assert short.exit_code != 0 and "12 characters" in short.output


def test_failure_limit_window(password_app: Flask) -> None:
    engine = store_of(password_app).engine
    limit = FailureLimit(engine, attempts=2, window_seconds=10)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    assert limit.attempt("a", now=at(0)).allowed
    assert limit.blocked_for("a", now=at(1)) == 0
    assert limit.attempt("a", now=at(1)).allowed
    assert limit.blocked_for("a", now=at(2)) == pytest.approx(8)
    refused = limit.attempt("a", now=at(2))
    assert not refused.allowed and refused.wait == pytest.approx(8)
    assert limit.blocked_for("b", now=at(2)) == 0  # keys are counted apart
    assert limit.blocked_for("a", now=at(11)) == 0  # the first failure left the window
    # A right password takes back its own attempt only, not the failures before it.
    right = limit.attempt("c", now=at(0))
    limit.attempt("c", now=at(1))
    limit.succeeded(right)
    assert limit.blocked_for("c", now=at(2)) == 0
    assert limit.attempt("c", now=at(2)).allowed
    assert limit.blocked_for("c", now=at(3)) > 0
    # Failures that left the window are swept away.
    assert limit.prune(now=at(30)) >= 3
    assert limit.blocked_for("a", now=at(2)) == 0 and limit.blocked_for("c", now=at(3)) == 0


def test_a_cookie_copied_before_signing_out_stops_working(password_app: Flask) -> None:
    dana, _ = _login(password_app, "dana")
    copied = dana.get_cookie("session")
    assert copied is not None
    home = dana.get("/", base_url="https://localhost")
    assert home.status_code == 200
    signed_out = dana.post("/logout", base_url="https://localhost",
                           data={"csrf_token": csrf_token_from(home.get_data(as_text=True))})
    assert signed_out.status_code == 302

    replay = _https_client(password_app)
    replay.set_cookie("session", copied.value)
    response = replay.get("/", base_url="https://localhost")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert replay.get("/api/reports", base_url="https://localhost").status_code == 401

    # Signing in again works, with a cookie of its own.
    again, response = _login(password_app, "dana")
    assert response.status_code == 302
    assert again.get("/", base_url="https://localhost").status_code == 200


def test_reviewers_publish_and_send_back_but_never_edit(password_app: Flask) -> None:
    dana, _ = _login(password_app, "dana")
    token = csrf_token_from(dana.get("/", base_url="https://localhost").get_data(as_text=True))
    url = dana.post("/reports", base_url="https://localhost",
                    data={"csrf_token": token}).headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])
    store = store_of(password_app)
    stored = store.get(report_id)
    store.save(report_id, replace(stored.report, status="in_review", title="Ready"))

    rey, _ = _login(password_app, "rey")
    view = rey.get(url, base_url="https://localhost", follow_redirects=True)
    html = view.get_data(as_text=True)
    assert "You are reviewing this report" in html and 'value="publish"' in html
    token = csrf_token_from(html)
    refused = rey.post(url, base_url="https://localhost",
                       data={"csrf_token": token, "title": "Changed by a reviewer"})
    assert refused.status_code == 403
    guidance = rey.post(f"{url}/guidance", base_url="https://localhost",
                        data={"csrf_token": token, "title": "x"},
                        headers={"Accept": "application/json"})
    assert guidance.status_code == 200
    published = rey.post(f"{url}/status", base_url="https://localhost",
                         data={"csrf_token": token, "transition": "reopen"})
    assert published.status_code == 303
    assert store.get(report_id).report.status == "draft"  # type: ignore[union-attr]
    assert store.get(report_id).report.title == "Ready"  # type: ignore[union-attr]

    val, _ = _login(password_app, "val")
    token = csrf_token_from(val.get("/", base_url="https://localhost").get_data(as_text=True))
    assert val.post(f"{url}/status", base_url="https://localhost",
                    data={"csrf_token": token, "transition": "submit"}).status_code == 403
