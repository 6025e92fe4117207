"""Response headers that make the browser refuse what the app never does itself.

Every script and stylesheet is a file the app serves, so the Content-Security-Policy allows
nothing else: no inline code, no other origin, no framing.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response

from services import get_store
from views.permissions import PUBLIC, allow
from views.turns import quick

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    @app.get("/healthz")
    @allow(PUBLIC)
    @quick
    def healthz() -> tuple[dict[str, str], int]:
        """For load balancers: the app answers and its database does too."""
        try:
            with get_store().engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except Exception:
            app.logger.exception("Health check: the database did not answer")
            return {"status": "database unavailable"}, 503
        return {"status": "ok"}, 200
