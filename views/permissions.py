"""Who may use each route: every view declares it beside its route, and one check enforces it.

    @bp.get("/reports/<int:report_id>/history")
    @allow(READ_REPORT)
    def history(report_id: int) -> str: ...

A rule is asked about the signed-in person and, when the URL names a report, that report's
team. ``enforce`` runs before every request once the person is known (``views/auth.py``). A
route that declares no rule is refused to everyone, and ``tests/test_permissions.py`` walks
``app.url_map`` so that no such route ships.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, request

from accounts.roles import REVIEWER, CurrentUser
from services import get_store

ATTRIBUTE = "hindsight_permission"


@dataclass(frozen=True)
class Rule:
    """Who may use a route, in words (shown by the route table test) and as a check."""

    who: str
    check: Callable[[CurrentUser, str | None], bool]
    # Answered before anyone signs in: the sign-in page, static files, the health check.
    public: bool = False


PUBLIC = Rule("anyone, signed in or not", lambda user, team: True, public=True)
SIGNED_IN = Rule("anyone signed in (lists show only what they may read)",
                 lambda user, team: True)
AUTHORS = Rule("authors", lambda user, team: user.can_edit)
AUTHORS_AND_REVIEWERS = Rule("authors and reviewers", lambda user, team: user.can_review)
READ_REPORT = Rule("anyone who may read the report (viewers: their teams' reports)",
                   lambda user, team: user.may_read_team(team))
EDIT_REPORT = Rule("authors of the report's team", lambda user, team: user.may_edit_team(team))
REVIEW_REPORT = Rule(
    "authors and reviewers who may read the report (comments, history)",
    lambda user, team: user.can_review and user.may_read_team(team),
)
MOVE_REPORT = Rule(
    "authors of the report's team, and reviewers",
    lambda user, team: user.role == REVIEWER or user.may_edit_team(team),
)

# Routes Flask makes itself, which no decorator can reach.
BUILT_IN = {"static": PUBLIC}

View = TypeVar("View", bound=Callable[..., object])


def allow(rule: Rule) -> Callable[[View], View]:
    """Declare who may use the route this view answers."""

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, rule)
        return view

    return declare


def rule_for(endpoint: str | None) -> Rule | None:
    """The rule an endpoint declared; None for an endpoint that declared none."""
    if endpoint is None:
        return None
    if endpoint in BUILT_IN:
        return BUILT_IN[endpoint]
    return getattr(current_app.view_functions.get(endpoint), ATTRIBUTE, None)


def is_public(endpoint: str | None) -> bool:
    rule = rule_for(endpoint)
    return rule is not None and rule.public


def permitted(user: CurrentUser) -> bool:
    """May this person make this request? No rule declared means no."""
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("Route %s declares no permission rule: refused",
                                 request.endpoint)
        return False
    report_id = (request.view_args or {}).get("report_id")
    team = (get_store().team_of(report_id)
            if report_id is not None and user.team_matters else None)
    return rule.check(user, team)
