"""The one permission table (D6).

A permission is ``resource:action[:reach]``. Routers require exactly one permission per operation;
services ask ``principal.can(...)`` for the reach of a read (``all`` beats ``managed``/``team``/
``assigned``/``own``). Roles appear nowhere else. What a caller may do is the role's permissions
intersected with the token's scopes (GET needs ``read``, writes need ``write``; ``admin`` is both).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    OWNER = "Owner"
    EXECUTIVE_MANAGER = "Executive manager"
    PROJECT_MANAGER = "Project manager"
    TEAM_MANAGER = "Team manager"
    REGULAR_USER = "Regular User"
    PROJECT_VIEWER = "Project viewer"


def is_staff_role(role: str | None) -> bool:
    """D6: every role but a project viewer (a client) is the workspace's own people: they track time, are
    reported, take leave and have timesheets. ``Membership.is_staff`` is the same rule as a SQL clause."""
    return role is not None and role != Role.PROJECT_VIEWER


# Catalogue §1.7: the roles POST/PUT /members may give, every one but Owner (a Literal, so that the
# schema's enum lists exactly these; tests/auth/test_roles.py holds it to ``Role``).
AssignableRole = Literal["Executive manager", "Project manager", "Team manager", "Regular User", "Project viewer"]


class Permission(StrEnum):
    WORKSPACES_READ = "workspaces:read"
    WORKSPACE_SETTINGS_WRITE = "workspace_settings:write"

    MEMBERS_READ_ALL = "members:read:all"
    MEMBERS_READ_MANAGED = "members:read:managed"  # members on projects a project manager manages
    MEMBERS_READ_TEAM = "members:read:team"
    MEMBERS_READ_OWN = "members:read:own"
    MEMBERS_WRITE = "members:write"

    TEAMS_READ_ALL = "teams:read:all"
    TEAMS_READ_MANAGED = "teams:read:managed"
    TEAMS_WRITE = "teams:write"

    PROJECTS_READ_ALL = "projects:read:all"
    PROJECTS_READ_MANAGED = "projects:read:managed"
    PROJECTS_READ_TEAM = "projects:read:team"
    PROJECTS_READ_ASSIGNED = "projects:read:assigned"
    PROJECTS_READ_VIEWER = "projects:read:viewer"
    PROJECTS_WRITE = "projects:write"

    CONTRACTS_READ_ALL = "contracts:read:all"
    CONTRACTS_READ_MANAGED = "contracts:read:managed"
    CONTRACTS_READ_TEAM = "contracts:read:team"
    CONTRACTS_READ_OWN = "contracts:read:own"
    CONTRACTS_WRITE = "contracts:write"

    TASKS_READ_ALL = "tasks:read:all"
    TASKS_READ_MANAGED = "tasks:read:managed"
    TASKS_READ_TEAM = "tasks:read:team"
    TASKS_READ_ASSIGNED = "tasks:read:assigned"
    TASKS_READ_VIEWER = "tasks:read:viewer"
    TASKS_WRITE_ALL = "tasks:write:all"
    TASKS_WRITE_MANAGED = "tasks:write:managed"
    TASKS_WRITE_TEAM = "tasks:write:team"

    PROJECT_VIEWERS_READ = "project_viewers:read"
    PROJECT_VIEWERS_WRITE = "project_viewers:write"

    TRACKING_WRITE_OWN = "tracking:write:own"
    TRACKING_WRITE_ALL = "tracking:write:all"
    TRACKING_READ_ALL = "tracking:read:all"
    ACTIVITY_WRITE_OWN = "activity:write:own"

    TIME_READ_ALL = "time:read:all"
    TIME_READ_MANAGED = "time:read:managed"
    TIME_READ_TEAM = "time:read:team"
    TIME_READ_OWN = "time:read:own"
    TIME_ENTRIES_WRITE_ALL = "time_entries:write:all"

    TIME_REQUESTS_WRITE_OWN = "time_requests:write:own"
    TIME_REQUESTS_WRITE_ALL = "time_requests:write:all"
    TIME_REQUESTS_APPROVE = "time_requests:approve"

    TIMESHEETS_SUBMIT_OWN = "timesheets:submit:own"
    TIMESHEETS_SUBMIT_ALL = "timesheets:submit:all"
    TIMESHEETS_APPROVE = "timesheets:approve"

    LEAVES_READ_ALL = "leaves:read:all"
    LEAVES_READ_OWN = "leaves:read:own"
    LEAVES_WRITE_OWN = "leaves:write:own"
    LEAVES_WRITE_ALL = "leaves:write:all"
    LEAVES_APPROVE = "leaves:approve"
    LEAVE_POLICIES_READ = "leave_policies:read"
    LEAVE_POLICIES_WRITE = "leave_policies:write"

    EXPENSES_READ_ALL = "expenses:read:all"
    EXPENSES_READ_OWN = "expenses:read:own"
    EXPENSES_WRITE_OWN = "expenses:write:own"
    EXPENSES_WRITE_ALL = "expenses:write:all"
    EXPENSE_CATEGORIES_READ = "expense_categories:read"
    EXPENSE_CATEGORIES_WRITE = "expense_categories:write"

    REPORTS_READ_ALL = "reports:read:all"
    REPORTS_READ_MANAGED = "reports:read:managed"
    REPORTS_READ_TEAM = "reports:read:team"
    REPORTS_READ_OWN = "reports:read:own"

    RATES_READ_ALL = "rates:read:all"

    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"


P = Permission

_EVERY_MEMBER = frozenset(
    {
        P.WORKSPACES_READ,
        P.MEMBERS_READ_OWN,
        P.LEAVE_POLICIES_READ,
        P.EXPENSE_CATEGORIES_READ,
    }
)

# Members who own time: tracker, time requests, timesheets, leaves, expenses of their own (D6).
_TIME_OWNER = frozenset(
    {
        P.TRACKING_WRITE_OWN,
        P.ACTIVITY_WRITE_OWN,
        P.TIME_READ_OWN,
        P.TIME_REQUESTS_WRITE_OWN,
        P.TIMESHEETS_SUBMIT_OWN,
        P.LEAVES_READ_OWN,
        P.LEAVES_WRITE_OWN,
        P.EXPENSES_READ_OWN,
        P.EXPENSES_WRITE_OWN,
        P.REPORTS_READ_OWN,
    }
)

_EVERYTHING = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: _EVERYTHING,
    Role.EXECUTIVE_MANAGER: _EVERYTHING,
    Role.PROJECT_MANAGER: _EVERY_MEMBER
    | _TIME_OWNER
    | {
        P.MEMBERS_READ_MANAGED,
        P.PROJECTS_READ_MANAGED,
        P.CONTRACTS_READ_MANAGED,
        P.TASKS_READ_MANAGED,
        P.TASKS_WRITE_MANAGED,
        P.TIME_READ_MANAGED,
        P.REPORTS_READ_MANAGED,
    },
    Role.TEAM_MANAGER: _EVERY_MEMBER
    | _TIME_OWNER
    | {
        P.MEMBERS_READ_TEAM,
        P.TEAMS_READ_MANAGED,
        P.PROJECTS_READ_TEAM,
        P.CONTRACTS_READ_TEAM,
        P.TASKS_READ_TEAM,
        P.TASKS_WRITE_TEAM,
        P.TIME_READ_TEAM,
        P.REPORTS_READ_TEAM,
    },
    Role.REGULAR_USER: _EVERY_MEMBER
    | _TIME_OWNER
    | {
        P.PROJECTS_READ_ASSIGNED,
        P.CONTRACTS_READ_OWN,
        P.TASKS_READ_ASSIGNED,
    },
    Role.PROJECT_VIEWER: _EVERY_MEMBER
    | {
        P.PROJECTS_READ_VIEWER,
        P.TASKS_READ_VIEWER,
    },
}

# Coarse "may call this read at all" groups, for routers whose rows are then filtered by reach.
MEMBERS_READ = (P.MEMBERS_READ_ALL, P.MEMBERS_READ_MANAGED, P.MEMBERS_READ_TEAM, P.MEMBERS_READ_OWN)
PROJECTS_READ = (
    P.PROJECTS_READ_ALL,
    P.PROJECTS_READ_MANAGED,
    P.PROJECTS_READ_TEAM,
    P.PROJECTS_READ_ASSIGNED,
    P.PROJECTS_READ_VIEWER,
)
CONTRACTS_READ = (P.CONTRACTS_READ_ALL, P.CONTRACTS_READ_MANAGED, P.CONTRACTS_READ_TEAM, P.CONTRACTS_READ_OWN)
TASKS_READ = (
    P.TASKS_READ_ALL,
    P.TASKS_READ_MANAGED,
    P.TASKS_READ_TEAM,
    P.TASKS_READ_ASSIGNED,
    P.TASKS_READ_VIEWER,
)
TASKS_WRITE = (P.TASKS_WRITE_ALL, P.TASKS_WRITE_MANAGED, P.TASKS_WRITE_TEAM)
TIME_READ = (P.TIME_READ_ALL, P.TIME_READ_MANAGED, P.TIME_READ_TEAM, P.TIME_READ_OWN)
REPORTS_READ = (P.REPORTS_READ_ALL, P.REPORTS_READ_MANAGED, P.REPORTS_READ_TEAM, P.REPORTS_READ_OWN)

SCOPES = ("read", "write", "admin")


def scopes_allow(scopes: frozenset[str], needed: str) -> bool:
    return needed in scopes or "admin" in scopes
