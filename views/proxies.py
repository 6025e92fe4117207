"""Behind a reverse proxy: the address of the person, not of the proxy.

Behind nginx every request reaches the app from the proxy's address, so the sign-in limit
(``accounts/ratelimit.py``) would count everyone's failures against that one address: five wrong
passwords from anyone, and nobody could sign in for 15 minutes. The proxy says who it was asked
by in ``X-Forwarded-For``; that header is believed only when the request comes straight from one
of ``HINDSIGHT_TRUSTED_PROXIES``, and only its last entry (the one that proxy added itself: the
entries before it are whatever the browser sent).

Not with ``HINDSIGHT_AUTH=header``: there the app checks that the request comes from the proxy
itself before it believes the user header (``views/auth.py``), so the address stays the proxy's.
Werkzeug's ``ProxyFix`` does not fit: it trusts a number of hops, from whoever connects.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any, cast

from flask import Flask

PROXY_ADDRESS = "hindsight.proxy_addr"  # the proxy's own address, kept in the WSGI environ


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:1234
        value = value[1:value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ForwardedFor:
    """WSGI middleware: REMOTE_ADDR from a trusted proxy's X-Forwarded-For."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], trusted: set[str]):
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if peer in self.trusted and forwarded:
            client = _address(forwarded.split(",")[-1])
            if client is not None:
                environ[PROXY_ADDRESS] = peer
                environ["REMOTE_ADDR"] = client
        return self.wsgi_app(environ, start_response)


def register(app: Flask) -> None:
    """Believe the trusted proxies' X-Forwarded-For (call after the sign-in settings are read)."""
    trusted = set(app.config["TRUSTED_PROXIES"])
    if trusted and app.config["AUTH"] != "header":
        # As Flask's documentation wraps ProxyFix (its type says wsgi_app is only a method).
        cast(Any, app).wsgi_app = ForwardedFor(app.wsgi_app, trusted)
