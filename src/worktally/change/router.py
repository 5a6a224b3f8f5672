from __future__ import annotations

from typing import Annotated

from fastapi import Query

from worktally.api.deps import SessionDep, SettingsDep, require
from worktally.api.envelope import meta
from worktally.api.routing import api_router
from worktally.auth.principal import Principal
from worktally.change import service
from worktally.change.schemas import ChangesEnvelope, ChangesMeta

router = api_router("/changes", tags=["Changes"])

AnyMember = Annotated[Principal, require()]


@router.get("", response_model=ChangesEnvelope, openapi_extra={"x-worktally-extension": True})
async def list_changes(
    principal: AnyMember,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Annotated[
        str | None, Query(description="From meta.next_cursor or an item's cursor; omit to start.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ChangesEnvelope:
    """Creates, updates and deletes the caller may see, oldest first (D19)."""
    items, next_cursor, has_more = await service.list_changes(
        session, principal, cursor=cursor, limit=limit, retention_days=settings.changes_retention_days
    )
    base = meta()
    return ChangesEnvelope(
        data=items, meta=ChangesMeta(timestamp=base.timestamp, next_cursor=next_cursor, has_more=has_more)
    )
