"""Which changes a role sees (D19): exactly what its lists show, by reusing the lists' own rules.

Each kind's clause is built from the same pieces its list uses: the subqueries of ``auth/visibility.py``
and the per-domain "whose rows" helpers (contracts' reach, teams managed, own leave and expenses, viewers
themselves, the policies that apply to a member). Nothing here decides anew who may see what. A delete is
filtered like the resource it deletes (the row keeps whose and which project's the resource was).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, select, true
from sqlalchemy.sql.elements import False_, True_

from worktally.auth import visibility
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.auth.visibility import IdSubquery
from worktally.contract.service import reach as contract_reach
from worktally.db.models import Change
from worktally.expense.service import _only_own as expenses_of
from worktally.leave import repository as leave_repository
from worktally.leave.service import _only_own as leaves_of
from worktally.project_viewer.service import _only_user as viewers_of
from worktally.team import repository as team_repository
from worktally.team.service import _managed_by as teams_managed_by

Clause = ColumnElement[bool]


def _in(column: Any, ids: IdSubquery | None) -> Clause:
    return true() if ids is None else column.in_(ids)


def _own(user_id: int | None) -> Clause:
    return true() if user_id is None else Change.user_id == user_id


def _ids_as_text(ids: IdSubquery) -> Clause:
    subquery = ids.subquery()
    return Change.resource_id.in_(select(cast(subquery.c[0], String)))


def _members(p: Principal) -> Clause:
    return _in(Change.user_id, visibility.user_ids(p))


def _projects(p: Principal) -> Clause:
    return _in(Change.project_id, visibility.project_ids(p))


def _contracts(p: Principal) -> Clause:
    projects, users = contract_reach(p)
    return and_(_in(Change.project_id, projects), _in(Change.user_id, users))


def _teams(p: Principal) -> Clause:
    if not p.can_any((P.TEAMS_READ_ALL, P.TEAMS_READ_MANAGED)):
        return false()
    managed_by = teams_managed_by(p)
    return (
        true() if managed_by is None else _ids_as_text(team_repository.team_ids(p.workspace_id, managed_by=managed_by))
    )


def _viewers(p: Principal) -> Clause:
    if not p.can_any((P.PROJECT_VIEWERS_READ, P.PROJECTS_READ_VIEWER)):
        return false()
    return _own(viewers_of(p))


def _leaves(p: Principal) -> Clause:
    return _own(leaves_of(p, P.LEAVES_READ_ALL, None)) if p.can_any((P.LEAVES_READ_ALL, P.LEAVES_READ_OWN)) else false()


def _policies(p: Principal) -> Clause:
    if not p.can(P.LEAVE_POLICIES_READ):
        return false()
    everyone = Change.user_id.is_(None)  # a withdrawal (user_id set) is only for the member it no longer applies to
    if p.can(P.LEAVE_POLICIES_WRITE):  # as leave/service.py: list_policies
        return everyone
    applying = _ids_as_text(leave_repository.policy_ids_applying_to(p.workspace_id, p.user_id))
    return or_(and_(everyone, applying), and_(Change.op == "delete", Change.user_id == p.user_id))


def _expenses(p: Principal) -> Clause:
    if not p.can_any((P.EXPENSES_READ_ALL, P.EXPENSES_READ_OWN)):
        return false()
    return _own(expenses_of(p, None))


def _trackers(p: Principal) -> Clause:
    # tracking/service.py: _acting_for(principal, user_id, P.TRACKING_READ_ALL, "read")
    return true() if p.can(P.TRACKING_READ_ALL) else Change.user_id == p.user_id


def _needs(permission: P) -> Callable[[Principal], Clause]:
    return lambda p: true() if p.can(permission) else false()


CLAUSES: dict[str, Callable[[Principal], Clause]] = {
    "member": _members,
    "team": _teams,
    "project": _projects,
    "contract": _contracts,
    "task": _projects,
    "project_viewer": _viewers,
    "time_entry": _members,
    "tracking": _trackers,
    "time_request": _members,
    "timesheet": _members,
    "leave": _leaves,
    "leave_policy": _policies,
    "expense": _expenses,
    "expense_category": _needs(P.EXPENSE_CATEGORIES_READ),
    "webhook": _needs(P.WEBHOOKS_READ),
}


def visible_changes(principal: Principal) -> Clause | None:
    """The WHERE clause of the changes ``principal`` may see; None when they see every change."""
    clauses = {kind: clause(principal) for kind, clause in CLAUSES.items()}
    if all(isinstance(c, True_) for c in clauses.values()):
        return None
    seen = [kind for kind, c in clauses.items() if isinstance(c, True_)]
    return or_(
        Change.type.in_(seen),
        *(and_(Change.type == kind, c) for kind, c in clauses.items() if not isinstance(c, True_ | False_)),
    )
