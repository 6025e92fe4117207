"""Sign-in: who is asking, and the check every request passes through.

Who may use which route is declared beside each route (``views/permissions.py``); this module
finds out who is asking and has the declared rule checked before every request.

``HINDSIGHT_AUTH`` chooses how people are known:
- ``none`` (default): no sign-in; only this computer may connect (loopback addresses).
- ``password``: accounts made with ``flask --app app users add``; sessions expire.
- ``header``: a reverse proxy (such as oauth2-proxy) names the user in a header; the header is
  believed only from the proxy addresses in ``HINDSIGHT_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

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
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from accounts.roles import LOCAL_USER, REVIEWER, CurrentUser
from services import get_login_failures, get_users
from views.hosts import page_of_this_site
from views.permissions import PUBLIC, allow, is_public, permitted

bp = Blueprint("auth", __name__)



class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("Username"),
                           validators=[DataRequired(lazy_gettext("Enter your username."))])
    password = PasswordField(lazy_gettext("Password"),
                             validators=[DataRequired(lazy_gettext("Enter your password."))])


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _session_user() -> CurrentUser | None:
    """The account the session cookie names, while the sign-in lasts and was not ended.

    Signing out moves the account to a new session generation (stored with the account), so a
    copy of the cookie taken before the sign-out names an old generation and is refused.
    """
    username, signed_in = session.get("user"), session.get("signed_in_at")
    if not username or not signed_in:
        return None
    lifetime = timedelta(hours=current_app.config["SESSION_HOURS"])
    if datetime.fromisoformat(signed_in) + lifetime < datetime.now(UTC):
        session.clear()
        return None
    user = get_users().find_session(username, session.get("generation"))
    if user is None:
        session.clear()
    return user


def _signin_keys(username: str) -> tuple[str, str]:
    """What failed sign-ins are counted against: the address and the account name."""
    return f"ip:{request.remote_addr}", f"user:{username}"


def _basic_user() -> CurrentUser | None:
    """API clients may send their username and password with each request (HTTP Basic)."""
    credentials = request.authorization
    if not credentials or credentials.type != "basic" or not credentials.username:
        return None
    attempt = get_login_failures().attempt(*_signin_keys(credentials.username))
    if not attempt.allowed:
        abort(429)
    user = get_users().check_password(credentials.username, credentials.password or "")
    if user is not None:
        get_login_failures().succeeded(attempt)
    return user


def _header_user() -> CurrentUser | None:
    config = current_app.config
    if request.remote_addr not in config["TRUSTED_PROXIES"]:
        return None
    username = (request.headers.get(config["AUTH_HEADER"]) or "").strip()
    if not username or len(username) > 200:
        return None
    return get_users().find(username) or get_users().add(username, role=config["DEFAULT_ROLE"])


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
                abort(403, gettext("Sign-in is off, so this app only answers this computer."))
            g.user = LOCAL_USER
        elif is_public(request.endpoint):
            g.user = _session_user() if mode == "password" else None
            return None
        elif mode == "password":
            g.user = _session_user() or (
                _basic_user() if request.path.startswith("/api/") else None
            )
        else:
            g.user = _header_user()
        if g.user is None:
            return _refuse_unknown()
        if request.endpoint is not None and not permitted(g.user):
            abort(403)
        return None

    @app.context_processor
    def user_context() -> dict[str, object]:
        return {"current_user": g.get("user"), "auth_mode": app.config["AUTH"],
                "reviewer_role": REVIEWER}


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login() -> Response | str | tuple[str, int]:
    if current_app.config["AUTH"] != "password":
        return redirect(url_for("library.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        # Counted as a failure unless it succeeds.
        attempt = get_login_failures().attempt(*_signin_keys(form.username.data))
        if not attempt.allowed:
            minutes = max(1, round(attempt.wait / 60))
            form.password.errors.append(
                f"Too many attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and "
                "try again, or ask your administrator to check your account."
            )
            status = 429
        else:
            user = get_users().check_password(form.username.data, form.password.data)
            generation = None if user is None else get_users().session_generation(user.username)
            if user is None or generation is None:
                form.password.errors.append("That username and password do not match.")
                status = 400
            else:
                get_login_failures().succeeded(attempt)
                session.clear()
                session.permanent = True
                session["user"] = user.username
                session["generation"] = generation
                session["signed_in_at"] = datetime.now(UTC).isoformat()
                return redirect(page_of_this_site(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.post("/logout")
@allow(PUBLIC)
def logout() -> Response:
    user = g.get("user")
    if current_app.config["AUTH"] == "password" and user is not None:
        get_users().end_sessions(user.username)  # copies of this session's cookie stop working
    session.clear()
    flash(gettext("You are signed out."))
    if current_app.config["AUTH"] == "password":
        return redirect(url_for("auth.login"))
    return redirect(url_for("library.index"))
