"""Sign-in and the one rule book every request passes through.

``HINDSIGHT_AUTH`` chooses how people are known:
- ``none`` (default): no sign-in; only this computer may connect (loopback addresses).
- ``password``: accounts made with ``flask --app app users add``; sessions expire.
- ``header``: a reverse proxy (such as oauth2-proxy) names the user in a header; the header is
  believed only from the proxy addresses in ``HINDSIGHT_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from accounts.ratelimit import FailureLimit
from accounts.roles import LOCAL_USER, REVIEWER, CurrentUser
from accounts.users import UserStore

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login", "auth.logout", "static", "healthz"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired("Enter your username.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def users() -> UserStore:
    return current_app.extensions["hindsight.users"]


def failures() -> FailureLimit:
    return current_app.extensions["hindsight.login_failures"]


def current_user() -> CurrentUser | None:
    return g.get("user")


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _session_user() -> CurrentUser | None:
    username, signed_in = session.get("user"), session.get("signed_in_at")
    if not username or not signed_in:
        return None
    lifetime = timedelta(hours=current_app.config["SESSION_HOURS"])
    if datetime.fromisoformat(signed_in) + lifetime < datetime.now(UTC):
        session.clear()
        return None
    return users().find(username)


def _basic_user() -> CurrentUser | None:
    """API clients may send their username and password with each request (HTTP Basic)."""
    credentials = request.authorization
    if not credentials or credentials.type != "basic" or not credentials.username:
        return None
    keys = (f"ip:{request.remote_addr}", f"user:{credentials.username}")
    if failures().blocked_for(*keys):
        abort(429)
    user = users().check_password(credentials.username, credentials.password or "")
    if user is None:
        failures().failed(*keys)
    return user


def _header_user() -> CurrentUser | None:
    config = current_app.config
    if request.remote_addr not in config["TRUSTED_PROXIES"]:
        return None
    username = (request.headers.get(config["AUTH_HEADER"]) or "").strip()
    if not username or len(username) > 200:
        return None
    return users().find(username) or users().add(username, role=config["DEFAULT_ROLE"])


def _report_team(report_id: int) -> str | None:
    from app import get_store

    return get_store().team_of(report_id)


# POSTs that change nothing: the live writing advice computes from what is posted.
COMPUTE_ONLY_ENDPOINTS = {"guidance.live"}
# Moving a report along draft → in review → published: its team's authors, or any reviewer.
STATUS_ENDPOINTS = {"workflow.change_status"}


def _allowed(user: CurrentUser) -> bool:
    """May this user make this request? Reading is open to every signed-in role."""
    if request.method in READ_METHODS or request.endpoint in PUBLIC_ENDPOINTS:
        return True
    endpoint = request.endpoint or ""
    if endpoint in COMPUTE_ONLY_ENDPOINTS:
        return True
    report_id = (request.view_args or {}).get("report_id")
    team = _report_team(report_id) if report_id is not None else None
    if endpoint in STATUS_ENDPOINTS:
        return user.role == REVIEWER or user.may_edit_team(team)
    if "review" in endpoint or "comment" in endpoint or endpoint.startswith("settings."):
        return user.can_review  # settings: the Drive set-up check, for authors and reviewers
    if report_id is not None:
        return user.may_edit_team(team)
    return user.can_edit


def _refuse_unknown() -> Response:
    if request.path.startswith("/api/"):
        response = current_app.response_class(
            '{"error": "Sign in first.", "status": 401}', status=401,
            mimetype="application/json",
        )
        response.headers["WWW-Authenticate"] = 'Basic realm="Hindsight"'
        return response
    if current_app.config["AUTH"] == "header":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def who_and_may_they() -> Response | None:
        mode = app.config["AUTH"]
        if mode == "none":
            if not _is_loopback(request.remote_addr):
                abort(403, "Sign-in is off, so this app only answers this computer.")
            g.user = LOCAL_USER
            return None
        if request.endpoint in PUBLIC_ENDPOINTS:
            g.user = _session_user() if mode == "password" else None
            return None
        if mode == "password":
            g.user = _session_user() or (
                _basic_user() if request.path.startswith("/api/") else None
            )
        else:
            g.user = _header_user()
        if g.user is None:
            return _refuse_unknown()
        if not _allowed(g.user):
            abort(403)
        return None

    @app.context_processor
    def user_context() -> dict[str, object]:
        return {"current_user": g.get("user"), "auth_mode": app.config["AUTH"],
                "reviewer_role": REVIEWER}


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host."""
    if not target:
        return url_for("editor.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("editor.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_app.config["AUTH"] != "password":
        return redirect(url_for("editor.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        keys = (f"ip:{request.remote_addr}", f"user:{form.username.data}")
        wait = failures().blocked_for(*keys)
        if wait:
            minutes = max(1, round(wait / 60))
            form.password.errors.append(
                f"Too many attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and "
                "try again, or ask your administrator to check your account."
            )
            status = 429
        else:
            user = users().check_password(form.username.data, form.password.data)
            if user is None:
                failures().failed(*keys)
                form.password.errors.append("That username and password do not match.")
                status = 400
            else:
                failures().succeeded(*keys)
                session.clear()
                session.permanent = True
                session["user"] = user.username
                session["signed_in_at"] = datetime.now(UTC).isoformat()
                return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    flash("You are signed out.")
    if current_app.config["AUTH"] == "password":
        return redirect(url_for("auth.login"))
    return redirect(url_for("editor.index"))
