"""The host names the app answers to, and the address its absolute links name.

DNS rebinding: a web page on ``evil.example`` can have its name resolve to 127.0.0.1 a moment
after it loaded, and then the browser sends the page's requests, with ``Host: evil.example``, to
this app, and lets the page read the answers. So a request is answered only when its ``Host``
is one of the app's names: ``localhost``, ``127.0.0.1`` and ``[::1]`` (with any port, in every
sign-in mode), the names in ``HINDSIGHT_SERVER_NAMES`` (comma-separated) and the name in
``HINDSIGHT_BASE_URL``. Others get a 400 page that names the setting to change.

Absolute addresses (``url_for(..., _external=True)``, such as the share link of the read-only
view) are built from ``HINDSIGHT_BASE_URL``, never from the request's ``Host``. Its default is
``http://localhost:5000`` (what ``scripts/run.sh`` serves), or made from the first of
``HINDSIGHT_SERVER_NAMES`` (``https://`` where sign-in is on, since the session cookie then
travels over HTTPS only). With sign-in on and neither setting given, the app answers only this
computer's names and says at start-up to set them.

Flask's ``TRUSTED_HOSTS`` (3.1) does not fit: Werkzeug cuts the port from each trusted name at
its first ``:``, so ``[::1]`` can never match; and the refusal is raised while the request
context is made, so the sign-in and form-token checks still run first and no error page can
build its links.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Request,
    Response,
    has_request_context,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import MapAdapter

from views.errors import wants_json

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_BASE_URL = "http://localhost:5000"
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?", re.I)


class HindsightFlask(Flask):
    """Flask, but absolute addresses always start with the configured ``BASE_URL``.

    Not done with Flask's ``SERVER_NAME``: that also changes the host the test client sends,
    and inside a request Flask still takes the scheme from the request.
    """

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is None and self.config.get("BASE_URL"):  # outside a request (commands)
            base = urlsplit(self.config["BASE_URL"])
            return self.url_map.bind(base.netloc, script_name=self.config["APPLICATION_ROOT"],
                                     url_scheme=base.scheme)
        return super().create_url_adapter(request)

    def url_for(self, /, endpoint: str, *, _anchor: str | None = None,
                _method: str | None = None, _scheme: str | None = None,
                _external: bool | None = None, **values: Any) -> str:
        external = _external if _external is not None else (
            _scheme is not None or not has_request_context())
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False,
                               **values)
        if not external:
            return path
        base = urlsplit(self.config.get("BASE_URL") or DEFAULT_BASE_URL)
        return f"{_scheme or base.scheme}://{base.netloc}{path}"


def host_name(host: str) -> str | None:
    """The name in a ``Host`` value, lower case, without port or final dot; None if invalid."""
    match = _HOST.fullmatch(host.strip())
    if match is None:
        return None
    name = match["name"].lower()
    return name if name.startswith("[") else name.rstrip(".") or None


def _bracketed(value: str) -> str:
    """A bare IPv6 address, as written in a Host: in brackets."""
    value = value.strip()
    return f"[{value}]" if value.count(":") > 1 and not value.startswith("[") else value


def _setting_name(value: str) -> str:
    """A name from HINDSIGHT_SERVER_NAMES."""
    value = _bracketed(value)
    name = host_name(value)
    if name is None:
        raise RuntimeError(f"HINDSIGHT_SERVER_NAMES: {value!r} is not a host name "
                           "(write names like reports.example.com, separated by commas)")
    return name


def _base_url(value: str) -> tuple[str, str]:
    """The base URL, tidied, and its host name; fails loudly on anything but scheme://host."""
    parts = urlsplit(value.strip())
    try:
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname)
                 and parts.path in ("", "/") and not parts.query and not parts.fragment
                 and parts.username is None and (parts.port is None or parts.port > 0))
    except ValueError:  # a port that is not a number
        valid = False
    name = host_name(parts.netloc) if valid else None
    if name is None:
        raise RuntimeError(f"HINDSIGHT_BASE_URL must be the address people open, such as "
                           f"https://reports.example.com (no path); it is {value!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}", name


def settle(app: Flask) -> None:
    """Work out the names answered and the base URL, once, at start-up."""
    config = app.config
    names = config["SERVER_NAMES"]
    if isinstance(names, str):
        names = names.split(",")
    given = [_setting_name(name) for name in names if name.strip()]
    # Made from the first name as written, so a port given with it is kept.
    first = next((_bracketed(name) for name in names if name.strip()), None)
    if config.get("BASE_URL"):
        base_url, base_name = _base_url(str(config["BASE_URL"]))
        given.append(base_name)
    elif first:
        scheme = "https" if config["SESSION_COOKIE_SECURE"] else "http"
        base_url, _ = _base_url(f"{scheme}://{first.lower()}")
    else:
        base_url = DEFAULT_BASE_URL
        if config["AUTH"] != "none":
            app.logger.warning(
                "Sign-in is on, but HINDSIGHT_BASE_URL is not set: only localhost, 127.0.0.1 "
                "and [::1] are answered, and share links start with %s. Set HINDSIGHT_BASE_URL "
                "to the address people open, such as https://reports.example.com.", base_url)
    config["SERVER_NAMES"] = tuple(dict.fromkeys([*LOOPBACK_NAMES, *given]))
    config["BASE_URL"] = base_url


def _refuse(host: str) -> tuple[Response, int] | tuple[str, int]:
    title = "This address is not one Hindsight answers to"
    detail = (f"The app was reached as “{host or 'no name'}”, which is not one of its names. "
              "If people should open it at this address, add the name to "
              "HINDSIGHT_SERVER_NAMES (names separated by commas) or set HINDSIGHT_BASE_URL "
              "to the full address, then restart the app.")
    if wants_json():
        return jsonify(error=title, detail=detail, status=400), 400
    return render_template("error.html", status=400, title=title, detail=detail), 400


def register(app: Flask) -> None:
    """Check the Host of every request; register before every other check (sign-in, CSRF)."""

    @app.before_request
    def answer_only_our_names() -> tuple[Response, int] | tuple[str, int] | None:
        name = host_name(request.host)
        if name in app.config["SERVER_NAMES"]:
            return None
        app.logger.warning("Refused a request for host %r: not in HINDSIGHT_SERVER_NAMES",
                           request.host[:200])
        return _refuse(request.host[:200])


def page_of_this_site(target: str | None) -> str:
    """``target`` when it is a path on this site, else the library: where to send someone back
    after signing in or choosing a language, never to another host."""
    if not target:
        return url_for("library.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("library.index")
    return target
