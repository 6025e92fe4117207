"""Roles and what each may do. One place, so every view asks the same question."""

from __future__ import annotations

from dataclasses import dataclass

AUTHOR, REVIEWER, VIEWER = "author", "reviewer", "viewer"
ROLES = {
    AUTHOR: "Author: writes and edits their team's reports",
    REVIEWER: "Reviewer: reads every report and reviews them",
    VIEWER: "Viewer: a stakeholder who reads reports",
}
AUTH_MODES = ("none", "password", "header")


@dataclass(frozen=True)
class CurrentUser:
    username: str
    display_name: str
    role: str
    team: str | None = None

    @property
    def can_edit(self) -> bool:
        return self.role == AUTHOR

    @property
    def can_review(self) -> bool:
        return self.role in (AUTHOR, REVIEWER)

    def may_edit_team(self, team: str | None) -> bool:
        """Authors edit their own team's reports; a report or author without a team is open."""
        return self.can_edit and (not team or not self.team or team == self.team)


# With sign-in off, the one person at this computer may do everything.
LOCAL_USER = CurrentUser(username="local", display_name="", role=AUTHOR, team=None)
