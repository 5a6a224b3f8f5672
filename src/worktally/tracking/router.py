from __future__ import annotations

from typing import Annotated

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok
from worktally.api.fields import id_query
from worktally.api.routing import api_router
from worktally.auth.permissions import TIME_READ
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.tracking import service
from worktally.tracking.schemas import CurrentTrackerData, TrackerStart, TrackerStarted, TrackerStop, TrackerStopped

router = api_router("/time-tracking", tags=["Time Tracking"])

TrackingWrite = Annotated[Principal, require(P.TRACKING_WRITE_OWN, P.TRACKING_WRITE_ALL)]
TrackingRead = Annotated[Principal, require(P.TRACKING_READ_ALL, *TIME_READ)]


@router.post("/start", response_model=Envelope[TrackerStarted])
async def start_tracking(principal: TrackingWrite, session: SessionDep, body: TrackerStart) -> Envelope[TrackerStarted]:
    """Start the tracker (clock in) for the caller, or for any member as Owner/EM."""
    started = await service.start(session, principal, body)
    return ok(started, message=started.message)


@router.post("/stop", response_model=Envelope[TrackerStopped])
async def stop_tracking(
    principal: TrackingWrite, session: SessionDep, body: TrackerStop | None = None
) -> Envelope[TrackerStopped]:
    """Stop the running tracker (clock out); its time is saved as a time entry (D9)."""
    stopped = await service.stop(session, principal, body or TrackerStop())
    return ok(stopped, message=stopped.message)


@router.get("/current-data", response_model=Envelope[CurrentTrackerData])
async def get_current_tracker_data(
    principal: TrackingRead,
    session: SessionDep,
    user_id: Annotated[int | None, id_query("Defaults to the caller.")] = None,
) -> Envelope[CurrentTrackerData]:
    """The running tracker and today's total for a member."""
    data = await service.current_data(session, principal, user_id)
    return ok(data, message="Current tracker data retrieved successfully")
