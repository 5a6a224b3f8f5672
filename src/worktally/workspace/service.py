from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams
from worktally.auth.principal import Identity, Principal
from worktally.core.clock import utc_now
from worktally.core.errors import NotFoundError
from worktally.core.timezones import parse_weekend_days
from worktally.core.updates import given_fields
from worktally.db.models import Workspace
from worktally.db.prepared import RequestDb
from worktally.workspace import repository
from worktally.workspace.schemas import WorkspaceRead, WorkspaceSettingsRead, WorkspaceSettingsUpdate


async def list_workspaces(
    db: RequestDb, identity: Identity, page: PageParams
) -> tuple[Sequence[WorkspaceRead], Pagination]:
    rows, meta = await repository.member_workspaces(db, identity.user_id, page)
    items = [
        WorkspaceRead(
            id=row["id"],
            owner_id=row["owner_id"],
            user_id=identity.user_id,
            workspace_name=row["name"],
            role=row["role"],
            status=row["status"],
            created_at=row["created_at"],
            activated_at=row["activated_at"],
        )
        for row in rows
    ]
    return items, meta


def _settings_read(workspace: Workspace) -> WorkspaceSettingsRead:
    return WorkspaceSettingsRead(
        workspace_id=workspace.id,
        timezone=workspace.timezone,
        auto_approve_time_requests=workspace.auto_approve_time_requests,
        weekend_days=sorted(parse_weekend_days(workspace.weekend_days)),
        workday_start_time=workspace.workday_start_time,
        expected_daily_minutes=workspace.expected_daily_minutes,
        late_grace_minutes=workspace.late_grace_minutes,
    )


async def _workspace(session: AsyncSession, principal: Principal) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    if workspace is None:  # the principal was loaded from an active membership of it
        raise NotFoundError("Workspace not found.", code="workspace_not_found")
    return workspace


async def get_settings(session: AsyncSession, principal: Principal) -> WorkspaceSettingsRead:
    return _settings_read(await _workspace(session, principal))


async def update_settings(
    session: AsyncSession, principal: Principal, body: WorkspaceSettingsUpdate
) -> WorkspaceSettingsRead:
    workspace = await _workspace(session, principal)
    given_fields(body, *(name for name in type(body).model_fields if name != "workspace_id"))
    if body.timezone is not None:
        workspace.timezone = body.timezone
    if body.auto_approve_time_requests is not None:
        workspace.auto_approve_time_requests = body.auto_approve_time_requests
    if body.weekend_days is not None:
        workspace.weekend_days = ",".join(str(day) for day in body.weekend_days)
    if body.workday_start_time is not None:
        workspace.workday_start_time = body.workday_start_time
    if body.expected_daily_minutes is not None:
        workspace.expected_daily_minutes = body.expected_daily_minutes
    if body.late_grace_minutes is not None:
        workspace.late_grace_minutes = body.late_grace_minutes
    workspace.updated_at = utc_now()
    await session.flush()
    return _settings_read(workspace)
