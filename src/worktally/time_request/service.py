"""Time requests (D10): created pending, or applied at once for Owner/EM or an auto-approving workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.auth.visibility import user_ids
from worktally.core import timezones
from worktally.core.clock import utc_now
from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from worktally.core.ids import new_public_id
from worktally.core.timezones import zone
from worktally.db.models import TimeRequest
from worktally.time_entry import service as time_entries
from worktally.time_entry.rules import Interval
from worktally.time_entry.targets import (
    MemberInfo,
    Target,
    existing_target,
    find_member,
    member_for_write,
    resolve_target,
)
from worktally.time_request import messages, repository
from worktally.time_request.schemas import TimeRequestCreate, TimeRequestRead
from worktally.webhook.events import record_event

MAX_SPAN = timedelta(hours=24)


class TimeRequestNotFoundError(NotFoundError):
    code = "time_request_not_found"
    message = "Time request not found."


class TimeRequestNotPendingError(ConflictError):
    code = "time_request_not_pending"
    message = "Only pending time requests can be approved or rejected."


def _read(row: Any) -> TimeRequestRead:
    request: TimeRequest = row[0]
    return TimeRequestRead(
        id=request.id,
        status=request.status,
        user_id=request.user_id,
        user_name=f"{row.firstname} {row.lastname}".strip() or row.email,
        user_email=row.email,
        contract_id=request.contract_id,
        project_id=request.project_id,
        project_name=row.project_name,
        task_id=request.task_id,
        task_title=row.task_title,
        start=request.started_at,
        end=request.ended_at,
        activity_description=request.notes,
        notes=request.notes,
        comment=request.comment,
        updated_by=request.updated_by,
        time_entry_id=request.time_entry_id,
        created_at=request.created_at,
        updated_at=request.updated_at,
    )


async def _load(session: AsyncSession, principal: Principal, request_id: str, *, for_update: bool = False) -> Any:
    statement = repository.one_statement(principal.workspace_id, request_id, user_ids(principal))
    if for_update:
        statement = statement.with_for_update(of=TimeRequest)
    row = (await session.execute(statement)).first()
    if row is None:
        raise TimeRequestNotFoundError()
    return row


def _instant(value: datetime, member: MemberInfo) -> datetime:
    return value.replace(tzinfo=member.tz) if value.tzinfo is None else value


def _interval(body: TimeRequestCreate, member: MemberInfo) -> Interval:
    try:
        start, end = _instant(body.start, member), _instant(body.end, member)
        if end <= start:
            raise ValidationError({"end": ["The end must be a date after start."]})
        if end - start > MAX_SPAN:
            raise ValidationError({"end": ["A time request may span at most 24 hours."]})
        return Interval(start.astimezone(UTC), end.astimezone(UTC))
    except OverflowError as exc:
        raise ValidationError({"start": ["The start is out of range."]}) from exc


async def _apply(
    session: AsyncSession, principal: Principal, request: TimeRequest, member: MemberInfo, target: Target
) -> None:
    """Approve: store the time under D9 (method ``Manually added time``)."""
    saved = await time_entries.save_interval(
        session,
        workspace_id=principal.workspace_id,
        member=member,
        target=target,
        interval=Interval(request.started_at, request.ended_at),
        method=time_entries.MANUAL,
        activity_description=request.notes,
        created_by=principal.user_id,
        time_request_id=request.id,
    )
    request.status = "approved"
    request.updated_by = principal.user_id
    request.updated_at = utc_now()
    request.time_entry_id = saved.entries[0].id


async def create(session: AsyncSession, principal: Principal, body: TimeRequestCreate) -> tuple[TimeRequestRead, str]:
    user_id = body.user_id if body.user_id is not None else principal.user_id
    if user_id != principal.user_id and not principal.can(P.TIME_REQUESTS_WRITE_ALL):
        raise ForbiddenError("You may only request time for yourself.", code="role_forbidden")
    member = await member_for_write(session, principal.workspace_id, user_id)
    target = await resolve_target(
        session, principal.workspace_id, user_id, contract_id=body.contract_id, task_id=body.task_id
    )
    interval = _interval(body, member)
    request = TimeRequest(
        id=new_public_id(),
        workspace_id=principal.workspace_id,
        user_id=user_id,
        contract_id=target.contract_id,
        project_id=target.project_id,
        task_id=target.task_id,
        started_at=interval.start,
        ended_at=interval.end,
        notes=body.activity_description,
        status="pending",
        created_by=principal.user_id,
    )
    session.add(request)
    await session.flush()
    applied = principal.can(P.TIME_REQUESTS_APPROVE) or member.workspace_auto_approve
    if applied:
        await _apply(session, principal, request, member, target)
        await session.flush()
    read = _read(await _load(session, principal, request.id))
    await record_event(session, workspace_id=principal.workspace_id, type="time_request.created", data=read)
    if applied:
        await record_event(session, workspace_id=principal.workspace_id, type="time_request.approved", data=read)
    message = messages.created(
        member.full_name,
        interval.start.astimezone(member.tz),
        interval.end.astimezone(member.tz),
        project_name=target.project_name,
        task_title=target.task_title,
        activity=body.activity_description,
    )
    return read, message


async def get(session: AsyncSession, principal: Principal, request_id: str) -> TimeRequestRead:
    return _read(await _load(session, principal, request_id))


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    *,
    date_from: date,
    date_to: date,
    status: str | None,
    user_id: int | None,
    project_id: int | None,
    request_id: str | None,
    page: PageParams,
) -> tuple[list[TimeRequestRead], Pagination]:
    # The days are the member's when one is asked for, else the caller's (D9).
    member = await find_member(session, principal.workspace_id, user_id) if user_id is not None else None
    tz = member.tz if member else zone(principal.timezone)
    statement = repository.list_statement(
        principal.workspace_id,
        visible=user_ids(principal),
        start=timezones.day_bounds(date_from, tz)[0],
        end=timezones.day_bounds(date_to, tz)[1],
        status=status,
        user_id=user_id,
        project_id=project_id,
        request_id=request_id,
    )
    rows, meta = await paginate(session, statement, page)
    return [_read(r) for r in rows], meta


async def _decide(session: AsyncSession, principal: Principal, request_id: str) -> tuple[TimeRequest, MemberInfo]:
    row = await _load(session, principal, request_id, for_update=True)
    request: TimeRequest = row[0]
    if request.status != "pending":
        raise TimeRequestNotPendingError(f"Only pending time requests can be decided; this one is {request.status}.")
    member = await find_member(session, principal.workspace_id, request.user_id)
    if member is None:
        raise TimeRequestNotFoundError()
    return request, member


async def _approver_name(session: AsyncSession, principal: Principal) -> str:
    approver = await find_member(session, principal.workspace_id, principal.user_id)
    return approver.full_name if approver else str(principal.user_id)


async def approve(session: AsyncSession, principal: Principal, request_id: str) -> tuple[TimeRequestRead, str]:
    request, member = await _decide(session, principal, request_id)
    target = await existing_target(session, request.contract_id, request.project_id, request.task_id)
    await _apply(session, principal, request, member, target)
    await session.flush()
    read = _read(await _load(session, principal, request.id))
    await record_event(session, workspace_id=principal.workspace_id, type="time_request.approved", data=read)
    at = utc_now().astimezone(zone(principal.timezone))
    return read, messages.approved(await _approver_name(session, principal), at)


async def reject(
    session: AsyncSession, principal: Principal, request_id: str, comment: str
) -> tuple[TimeRequestRead, str]:
    request, _member = await _decide(session, principal, request_id)
    request.status = "rejected"
    request.comment = comment
    request.updated_by = principal.user_id
    request.updated_at = utc_now()
    await session.flush()
    read = _read(await _load(session, principal, request.id))
    await record_event(session, workspace_id=principal.workspace_id, type="time_request.rejected", data=read)
    at = utc_now().astimezone(zone(principal.timezone))
    return read, messages.rejected(await _approver_name(session, principal), at, comment)
