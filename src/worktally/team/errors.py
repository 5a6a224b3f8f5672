from __future__ import annotations

from worktally.core.errors import NotFoundError


class TeamNotFoundError(NotFoundError):
    code = "team_not_found"
    message = "Team not found."
