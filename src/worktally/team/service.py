from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate_scalars
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.updates import given_fields
from worktally.db.models import Team
from worktally.team import repository
from worktally.team.errors import TeamNotFoundError
from worktally.team.schemas import TeamCreate, TeamRead, TeamUpdate
from worktally.webhook.events import record_event


def _managed_by(principal: Principal) -> int | None:
    """D6/D17: Owner and EM see every team; a team manager sees the teams they manage."""
    return None if principal.can(Permission.TEAMS_READ_ALL) else principal.user_id


def _to_read(team: Team, people: tuple[list[int], list[int]]) -> TeamRead:
    members, managers = people
    return TeamRead(
        id=team.id,
        name=team.name,
        member_ids=members,
        manager_ids=managers,
        created_at=team.created_at,
        updated_at=team.updated_at,
    )


async def _read(session: AsyncSession, team: Team) -> TeamRead:
    people = await repository.people_of(session, [team.id])
    return _to_read(team, people[team.id])


async def _check_people(session: AsyncSession, principal: Principal, fields: dict[str, list[int] | None]) -> None:
    """Members and managers must be active members of the workspace (422 per field)."""
    wanted = {i for ids in fields.values() for i in ids or []}
    active = await repository.active_member_ids(session, principal.workspace_id, wanted)
    errors: dict[str, list[str]] = {}
    for field, ids in fields.items():
        unknown = sorted(set(ids or []) - active)
        if unknown:
            listed = ", ".join(str(i) for i in unknown)
            errors[field] = [f"These ids are not active members of this workspace: {listed}."]
    if errors:
        raise ValidationError(errors)


async def list_teams(
    session: AsyncSession, principal: Principal, *, page: PageParams
) -> tuple[Sequence[TeamRead], Pagination]:
    statement = repository.list_teams(principal.workspace_id, managed_by=_managed_by(principal))
    teams, meta = await paginate_scalars(session, statement, page)
    people = await repository.people_of(session, [t.id for t in teams])
    return [_to_read(t, people[t.id]) for t in teams], meta


async def _get(session: AsyncSession, principal: Principal, team_id: int) -> Team:
    team = await repository.get_team(session, principal.workspace_id, team_id, managed_by=_managed_by(principal))
    if team is None:
        raise TeamNotFoundError()
    return team


async def get_team(session: AsyncSession, principal: Principal, team_id: int) -> TeamRead:
    return await _read(session, await _get(session, principal, team_id))


async def create_team(session: AsyncSession, principal: Principal, body: TeamCreate) -> TeamRead:
    await _check_people(session, principal, {"member_ids": body.member_ids, "manager_ids": body.manager_ids})
    team = await repository.add_team(session, principal.workspace_id, body.name)
    await repository.replace_people(session, team.id, body.member_ids, managers=False)
    await repository.replace_people(session, team.id, body.manager_ids, managers=True)
    read = await _read(session, team)
    await record_event(session, workspace_id=principal.workspace_id, type="team.created", data=read)  # D19
    return read


async def update_team(session: AsyncSession, principal: Principal, team_id: int, body: TeamUpdate) -> TeamRead:
    team = await _get(session, principal, team_id)
    given_fields(body, "name", "member_ids", "manager_ids")
    await _check_people(session, principal, {"member_ids": body.member_ids, "manager_ids": body.manager_ids})
    if body.name is not None:
        team.name = body.name
    if body.member_ids is not None:
        await repository.replace_people(session, team.id, body.member_ids, managers=False)
    if body.manager_ids is not None:
        await repository.replace_people(session, team.id, body.manager_ids, managers=True)
    team.updated_at = utc_now()
    await session.flush()
    read = await _read(session, team)
    await record_event(session, workspace_id=principal.workspace_id, type="team.updated", data=read)  # D19
    return read


async def delete_team(session: AsyncSession, principal: Principal, team_id: int) -> None:
    team = await _get(session, principal, team_id)
    read = await _read(session, team)
    await repository.delete_team(session, team.id)
    await record_event(session, workspace_id=principal.workspace_id, type="team.deleted", data=read)  # D19
