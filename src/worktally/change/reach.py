"""When what a member may see changes (D19): the feed tells that member to list afresh.

The feed filters every change by the reader's reach *now* (``change/visibility.py``). A member who gains a
project never hears of its earlier changes, one who loses it never hears that it is gone from their lists:
their replica would drift. So every change that may move a member's reach (a contract of theirs, their role,
a team they manage, the projects assigned to them as a viewer) records a ``reach`` row for that member, in
the same transaction. The row is never listed; a cursor given out before it answers 410 ``cursor_expired``
to that member (``service.list_changes``), and the member lists afresh, as after the retention (D19).

An archived project takes its contracts and tasks out of every list (D13): they get deletes in the feed
(``project_archived``); a restored one brings them back, and every member lists afresh (``everyone``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Role
from worktally.change import repository
from worktally.change.kinds import KINDS, REACH, ChangeRef, reach_kind
from worktally.db.models import Change, Contract, Membership, Task, WebhookEvent


def _ids(values: Any) -> set[int]:
    return {v for v in values or () if isinstance(v, int) and not isinstance(v, bool)}


async def _previous_team_managers(session: AsyncSession, workspace_id: int, team_id: int) -> set[int]:
    """The managers of the team as its last recorded change had them (an update may have removed some)."""
    payload = (
        await session.execute(
            select(WebhookEvent.payload)
            .join(Change, Change.event_id == WebhookEvent.id)
            .where(Change.workspace_id == workspace_id, Change.type == "team", Change.resource_id == str(team_id))
            .order_by(Change.id.desc())
            .limit(1)
        )
    ).scalar()
    if payload is None:
        return set()
    event = json.loads(payload) if isinstance(payload, str) else payload
    return _ids((event.get("data") or {}).get("manager_ids"))


async def reached_members(session: AsyncSession, workspace_id: int, event_type: str, data: dict[str, Any]) -> set[int]:
    """The members whose reach ``event_type`` may change (called before the event's own change is added)."""
    prefix = event_type.split(".", 1)[0]
    if prefix == "contract":
        return _ids([data.get("user_id")])
    if prefix in ("member", "project_viewer"):
        return _ids([data.get("id")])
    if prefix == "team":
        managers = _ids(data.get("manager_ids"))
        team_id = data.get("id")
        if event_type != "team.created" and isinstance(team_id, int):
            managers |= await _previous_team_managers(session, workspace_id, team_id)
        return managers
    return set()


async def record(
    session: AsyncSession, *, workspace_id: int, event_id: str, members: Iterable[int], changed_at: datetime
) -> None:
    for user_id in sorted(set(members)):
        ref = ChangeRef(kind=reach_kind(), resource_id=str(user_id), op=REACH, user_id=user_id, project_id=None)
        await repository.add(session, workspace_id=workspace_id, event_id=event_id, ref=ref, changed_at=changed_at)


async def project_archived(
    session: AsyncSession, *, workspace_id: int, event_id: str, project_id: int, changed_at: datetime
) -> None:
    """An archived project's contracts and tasks leave every list (D13): each gets a delete in the feed."""
    contracts = (
        await session.execute(
            select(Contract.id, Contract.user_id).where(
                Contract.workspace_id == workspace_id, Contract.project_id == project_id, Contract.deleted_at.is_(None)
            )
        )
    ).all()
    tasks = (
        await session.scalars(
            select(Task.id).where(
                Task.workspace_id == workspace_id, Task.project_id == project_id, Task.deleted_at.is_(None)
            )
        )
    ).all()
    refs = [ChangeRef(KINDS["contract"], str(id), "delete", user_id, project_id) for id, user_id in contracts]
    refs += [ChangeRef(KINDS["task"], str(id), "delete", None, project_id) for id in tasks]
    for ref in refs:
        await repository.add(session, workspace_id=workspace_id, event_id=event_id, ref=ref, changed_at=changed_at)
    # Those who saw it through a contract or a team no longer see those deletes: they list afresh.
    await everyone(session, workspace_id=workspace_id, event_id=event_id, changed_at=changed_at)


async def everyone(session: AsyncSession, *, workspace_id: int, event_id: str, changed_at: datetime) -> None:
    """Every member whose reach is partial (not an Owner or Executive manager, who see all) lists afresh."""
    members = (
        await session.scalars(
            select(Membership.user_id).where(
                Membership.workspace_id == workspace_id,
                Membership.status == "active",
                Membership.role.not_in(_SEES_ALL),
            )
        )
    ).all()
    await record(session, workspace_id=workspace_id, event_id=event_id, members=members, changed_at=changed_at)


_SEES_ALL = (Role.OWNER.value, Role.EXECUTIVE_MANAGER.value)
