from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.team import service
from worktally.team.schemas import TeamCreate, TeamRead, TeamUpdate

# D17: teams are ours, not WebWork's.
router = api_router("/teams", tags=["Teams"])
EXTENSION = {"x-worktally-extension": True}

TeamsRead = Annotated[Principal, require(Permission.TEAMS_READ_ALL, Permission.TEAMS_READ_MANAGED)]
TeamsWrite = Annotated[Principal, require(Permission.TEAMS_WRITE)]
TeamId = Annotated[int, Path(alias="teamId")]


@router.get("", response_model=Envelope[list[TeamRead]], openapi_extra=EXTENSION)
async def list_teams(
    principal: TeamsRead, session: SessionDep, page: Annotated[PageParams, Depends(page_params())]
) -> Envelope[list[TeamRead]]:
    """List teams (all for Owner and EM, managed ones for a team manager)."""
    items, meta = await service.list_teams(session, principal, page=page)
    return paginated(items, meta, message="Teams retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[TeamRead], openapi_extra=EXTENSION)
async def create_team(principal: TeamsWrite, body: TeamCreate, session: SessionDep) -> Envelope[TeamRead]:
    """Create a team."""
    return ok(await service.create_team(session, principal, body), message="Team created successfully")


@router.get("/{teamId}", response_model=Envelope[TeamRead], openapi_extra=EXTENSION)
async def get_team(principal: TeamsRead, team_id: TeamId, session: SessionDep) -> Envelope[TeamRead]:
    """Get one team."""
    return ok(await service.get_team(session, principal, team_id), message="Team retrieved successfully")


@router.put("/{teamId}", response_model=Envelope[TeamRead], openapi_extra=EXTENSION)
async def update_team(
    principal: TeamsWrite, team_id: TeamId, body: TeamUpdate, session: SessionDep
) -> Envelope[TeamRead]:
    """Rename a team or replace its members or managers."""
    return ok(await service.update_team(session, principal, team_id, body), message="Team updated successfully")


@router.delete("/{teamId}", response_model=Envelope[None], openapi_extra=EXTENSION)
async def delete_team(principal: TeamsWrite, team_id: TeamId, session: SessionDep) -> Envelope[None]:
    """Delete a team (its members stay members of the workspace)."""
    await service.delete_team(session, principal, team_id)
    return ok(None, message="Team deleted successfully")
