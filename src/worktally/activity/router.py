from __future__ import annotations

from typing import Annotated

from worktally.activity import service
from worktally.activity.schemas import ActivityRecorded, ActivityReport
from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal

router = api_router(tags=["Time Tracking"])

ActivityWrite = Annotated[Principal, require(P.ACTIVITY_WRITE_OWN)]


@router.post(
    "/time-tracking/activity",
    response_model=Envelope[ActivityRecorded],
    openapi_extra={"x-worktally-extension": True},
)
async def record_activity(
    principal: ActivityWrite, session: SessionDep, body: ActivityReport
) -> Envelope[ActivityRecorded]:
    """Report activity levels for the caller's tracked time in 10-minute slots (D15)."""
    return ok(await service.record(session, principal, body), message="Activity recorded successfully")
