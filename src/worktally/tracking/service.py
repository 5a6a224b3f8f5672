"""The real-time tracker (D9): the server's clock starts and stops it; one per user per workspace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core import timezones
from worktally.core.clock import utc_now
from worktally.core.errors import ForbiddenError
from worktally.db.models import RunningTracker
from worktally.time_entry import repository as entries
from worktally.time_entry import service as time_entries
from worktally.time_entry.errors import TimeOverlapError, WeeklyLimitError
from worktally.time_entry.rules import Interval
from worktally.time_entry.targets import existing_target, member_for_read, member_for_write, resolve_target
from worktally.tracking import repository
from worktally.tracking.errors import ContractPausedError, TrackerAlreadyRunningError, TrackerNotRunningError
from worktally.tracking.schemas import CurrentTrackerData, TrackerStart, TrackerStarted, TrackerStop, TrackerStopped
from worktally.webhook.events import record_event

WEB_TRACKER = "Web tracker"
STARTED = "Time tracking started successfully"
STOPPED = "Time tracking stopped successfully"


def _acting_for(principal: Principal, user_id: int | None, permission: P, verb: str) -> int:
    target = user_id if user_id is not None else principal.user_id
    if target != principal.user_id and not principal.can(permission):
        raise ForbiddenError(f"You may only {verb} your own tracker.", code="role_forbidden")
    return target


async def start(session: AsyncSession, principal: Principal, body: TrackerStart) -> TrackerStarted:
    user_id = _acting_for(principal, body.user_id, P.TRACKING_WRITE_ALL, "start")
    member = await member_for_write(session, principal.workspace_id, user_id)
    target = await resolve_target(
        session, principal.workspace_id, user_id, contract_id=body.contract_id, task_id=body.task_id
    )
    if target.contract_status not in (None, "active"):
        raise ContractPausedError()  # D13
    started_at = utc_now().replace(microsecond=0)
    tracker = RunningTracker(
        workspace_id=principal.workspace_id,
        user_id=user_id,
        contract_id=target.contract_id,
        project_id=target.project_id,
        task_id=target.task_id,
        activity_description=body.activity_description,
        method=WEB_TRACKER,
        started_at=started_at,
        started_by=principal.user_id,
    )
    if not await repository.insert_running(session, tracker):
        raise TrackerAlreadyRunningError()
    started = TrackerStarted(
        message=STARTED,
        start_time=started_at,
        user_id=user_id,
        user_name=member.full_name,
        user_email=member.email,
        contract_id=target.contract_id,
        project_id=target.project_id,
        project_name=target.project_name,
        task_id=target.task_id,
        task_title=target.task_title,
        activity_description=body.activity_description,
    )
    await record_event(session, workspace_id=principal.workspace_id, type="tracker.started", data=started)
    return started


async def stop(session: AsyncSession, principal: Principal, body: TrackerStop) -> TrackerStopped:
    user_id = _acting_for(principal, body.user_id, P.TRACKING_WRITE_ALL, "stop")
    member = await member_for_read(session, principal.workspace_id, user_id)
    running = await repository.take_running(session, principal.workspace_id, user_id)
    if running is None:
        raise TrackerNotRunningError()
    stopped_at = max(utc_now().replace(microsecond=0), running.started_at)
    saved_ids: list[str] = []
    saved_minutes = 0
    if stopped_at > running.started_at:
        target = await existing_target(session, running.contract_id, running.project_id, running.task_id)
        try:
            saved = await time_entries.save_interval(
                session,
                workspace_id=principal.workspace_id,
                member=member,
                target=target,
                interval=Interval(running.started_at, stopped_at),
                method=running.method,
                activity_description=running.activity_description,
                created_by=principal.user_id,
            )
        except (TimeOverlapError, WeeklyLimitError):
            pass  # D9: the tracker stops; nothing of its time could be saved.
        else:
            saved_ids = [e.id for e in saved.entries]
            saved_minutes = saved.saved_minutes
    stopped = TrackerStopped(
        message=STOPPED,
        stopped_at=stopped_at,
        started_at=running.started_at,
        user_id=user_id,
        saved_minutes=saved_minutes,
        time_entry_ids=saved_ids,
    )
    await record_event(session, workspace_id=principal.workspace_id, type="tracker.stopped", data=stopped)
    return stopped


async def current_data(session: AsyncSession, principal: Principal, user_id: int | None) -> CurrentTrackerData:
    user_id = _acting_for(principal, user_id, P.TRACKING_READ_ALL, "read")
    member = await member_for_read(session, principal.workspace_id, user_id)
    now = utc_now()
    today = timezones.local_date(now, member.tz)
    day_minutes = await entries.minutes_between(
        session, principal.workspace_id, user_id, *timezones.day_bounds(today, member.tz)
    )
    running = await repository.get_running(session, principal.workspace_id, user_id)
    if running is None:
        return CurrentTrackerData(
            user_id=user_id,
            is_tracking=False,
            started_at=None,
            contract_id=None,
            project_id=None,
            project_name=None,
            task_id=None,
            task_title=None,
            activity_description=None,
            total_seconds=0,
            total_minutes=day_minutes,
            date=today,
        )
    elapsed = max(0, int((now - running.started_at).total_seconds()))
    target = await existing_target(session, running.contract_id, running.project_id, running.task_id)
    return CurrentTrackerData(
        user_id=user_id,
        is_tracking=True,
        started_at=running.started_at,
        contract_id=running.contract_id,
        project_id=running.project_id,
        project_name=target.project_name,
        task_id=running.task_id,
        task_title=target.task_title,
        activity_description=running.activity_description,
        # A running clock (minutes and seconds so far), not a count of saved time.
        total_seconds=elapsed % 60,
        total_minutes=day_minutes + elapsed // 60,
        date=today,
    )
