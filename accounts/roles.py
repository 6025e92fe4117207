"""Roles and what each may do. One place, so every view asks the same question."""

from __future__ import annotations

from dataclasses import dataclass

AUTHOR, REVIEWER, VIEWER = "author", "reviewer", "viewer"
ROLES = {
    AUTHOR: "Author: writes and edits their team's reports",
    REVIEWER: "Reviewer: reads every report and reviews them",
    VIEWER: "Viewer: a stakeholder who reads reports (with a team: only that team's)",
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

    @property
    def teams(self) -> frozenset[str]:
        """A viewer may be limited to several teams, written ``acme,globex``."""
        return frozenset(t.strip() for t in (self.team or "").split(",") if t.strip())

    @property
    def sees_internal(self) -> bool:
        """Viewers are stakeholders: they only ever receive the client copy."""
        return self.role != VIEWER

    @property
    def team_matters(self) -> bool:
        """Whether a report's team can change what this person may do with it: not for anyone
        without a team, so the team need not be looked up for them."""
        return bool(self.teams)

    def may_read_team(self, team: str | None) -> bool:
        """Everyone reads every report, except a viewer limited to some teams, who reads only
        those teams' reports (not the reports that belong to no team)."""
        if self.role == VIEWER and self.teams:
            return team in self.teams
        return True

    def may_edit_team(self, team: str | None) -> bool:
        """Authors edit their own team's reports; a report or author without a team is open."""
        return self.can_edit and (not team or not self.team or team == self.team)


# With sign-in off, the one person at this computer may do everything.
LOCAL_USER = CurrentUser(username="local", display_name="", role=AUTHOR, team=None)
