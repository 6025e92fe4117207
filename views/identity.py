"""Who is asking: the person behind the current request, and the name their edits carry."""

from __future__ import annotations

from flask import g

from accounts.roles import CurrentUser


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
