"""People of every kind, signed in to one app with password sign-in, as browsers would be.

- ``team_author``: an author of the team that owns the report under test (``acme``)
- ``other_author``: an author of another team (``globex``)
- ``reviewer``, ``viewer`` (reads every report, client copy only)
- ``team_viewer``: a viewer limited to ``acme``; ``outside_viewer``: limited to ``initech``
- ``no_one``: not signed in
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import create_app
from services import get_users
from tests.conftest import csrf_token_from

PASSWORD = "correct horse battery staple"
BASE_URL = "https://localhost"
ACCOUNTS = {  # name -> (role, team)
    "team_author": ("author", "acme"),
    "other_author": ("author", "globex"),
    "reviewer": ("reviewer", None),
    "viewer": ("viewer", None),
    "team_viewer": ("viewer", "acme"),
    "outside_viewer": ("viewer", "initech"),
}
EVERYONE = (*ACCOUNTS, "no_one")


def password_app(tmp_path: Path) -> Flask:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "AUTH": "password"})
    with app.app_context():
        for name, (role, team) in ACCOUNTS.items():
            get_users().add(name, role=role, password=PASSWORD, team=team)
    return app


@dataclass
class Person:
    """One browser: its cookies, and the form token its pages carry."""

    name: str
    client: FlaskClient
    token: str = ""
    seen: list[str] = field(default_factory=list)

    def get(self, url: str) -> TestResponse:
        return self.client.get(url, base_url=BASE_URL)

    def post(self, url: str, data: dict[str, str] | None = None,
             **kwargs: object) -> TestResponse:
        return self.client.post(url, base_url=BASE_URL,
                                data={"csrf_token": self.token, **(data or {})}, **kwargs)


def sign_in(app: Flask, name: str) -> Person:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = f"{BASE_URL}/"
    person = Person(name, client)
    page = client.get("/login", base_url=BASE_URL).get_data(as_text=True)
    person.token = csrf_token_from(page)
    if name != "no_one":
        signed_in = client.post("/login", base_url=BASE_URL, data={
            "csrf_token": person.token, "username": name, "password": PASSWORD})
        assert signed_in.status_code == 302, f"{name} could not sign in"
        person.token = csrf_token_from(person.get("/").get_data(as_text=True))
    return person


def refused(person: Person, response: TestResponse) -> bool:
    """Whether the app refused this person: 403, or (not signed in) sent to sign in first."""
    if person.name == "no_one":
        location = response.headers.get("Location", "")
        return response.status_code == 401 or (
            response.status_code == 302 and "/login?next=" in location)
    return response.status_code == 403
