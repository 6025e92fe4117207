"""Who is asking: the person behind the current request, and the name their edits carry."""

from __future__ import annotations

from flask import g

from accounts.roles import VIEWER, CurrentUser
from reports.library import EVERYTHING, Scope


def current_user() -> CurrentUser | None:
    """The signed-in person (with sign-in off, the one person at this computer)."""
    return g.get("user")


def author_name() -> str | None:
    """Who is saving, for the history; nobody in particular when sign-in is off."""
    user = current_user()
    return (user.display_name or user.username) if user and user.display_name else None


def sees_internal() -> bool:
    """Whether this person may receive internal-only items: everyone but viewers."""
    user = current_user()
    return user is None or user.sees_internal


def library_scope() -> Scope:
    """What the lists that span reports may show this person (see ``reports.library.Scope``)."""
    user = current_user()
    if user is None:
        return EVERYTHING
    limited = user.role == VIEWER and bool(user.teams)
    return Scope(teams=user.teams if limited else None, internal=user.sees_internal)
