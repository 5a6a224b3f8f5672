from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import AnySelect, PageParams, paginate_prepared
from worktally.db.functions import greatest, least, seconds_between
from worktally.db.models import Contract, Membership, Project, Task, TimeEntry
from worktally.db.prepared import PreparedRead, RequestDb, Row
from worktally.db.types import UTCDateTime
from worktally.time_entry.rules import MAX_ENTRY_SPAN


def _with_names() -> AnySelect:
    return (
        select(TimeEntry, Project.name.label("project_name"), Task.title.label("task_title"))
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
    )


async def get(session: AsyncSession, workspace_id: int, entry_id: str) -> TimeEntry | None:
    return (
        await session.execute(select(TimeEntry).where(TimeEntry.id == entry_id, TimeEntry.workspace_id == workspace_id))
    ).scalar_one_or_none()


async def get_with_names(session: AsyncSession, workspace_id: int, entry_id: str) -> Any | None:
    return (
        await session.execute(_with_names().where(TimeEntry.id == entry_id, TimeEntry.workspace_id == workspace_id))
    ).first()


# A member's entries that start within [start, end), in time order, with their project's and task's names and
# the total for D5's meta in the same statement: built once for each of the list's optional filters
# (``api/pagination.paginate_prepared``), rows without ORM entities.
_LISTED = (
    TimeEntry.id,
    TimeEntry.user_id,
    TimeEntry.contract_id,
    TimeEntry.project_id,
    TimeEntry.task_id,
    TimeEntry.activity_description,
    TimeEntry.method,
    TimeEntry.started_at,
    TimeEntry.ended_at,
    TimeEntry.duration_minutes,
    Project.name.label("project_name"),
    Task.title.label("task_title"),
)


def _range_statements(*, by_project: bool, by_task: bool) -> tuple[PreparedRead, PreparedRead]:
    where = [
        TimeEntry.workspace_id == bindparam("workspace_id"),
        TimeEntry.user_id == bindparam("user_id"),
        TimeEntry.started_at >= bindparam("start"),
        TimeEntry.started_at < bindparam("end"),
    ]
    if by_project:
        where.append(TimeEntry.project_id == bindparam("project_id"))
    if by_task:
        where.append(TimeEntry.task_id == bindparam("task_id"))
    page = (
        select(*_LISTED, func.count().over().label("total"))
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(*where)
        .order_by(TimeEntry.started_at, TimeEntry.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    count = select(func.count().label("total")).select_from(TimeEntry).where(*where)
    return PreparedRead(page), PreparedRead(count)


_RANGE = {
    (by_project, by_task): _range_statements(by_project=by_project, by_task=by_task)
    for by_project in (False, True)
    for by_task in (False, True)
}


async def entries_starting_between(
    db: RequestDb,
    workspace_id: int,
    user_id: int,
    start: datetime,
    end: datetime,
    page: PageParams,
    *,
    project_id: int | None,
    task_id: int | None,
) -> tuple[Sequence[Row], Pagination]:
    """One page of a member's entries that start within ``[start, end)``, in time order, and its meta (D5)."""
    listed, count = _RANGE[(project_id is not None, task_id is not None)]
    filters: dict[str, int] = {}
    if project_id is not None:
        filters["project_id"] = project_id
    if task_id is not None:
        filters["task_id"] = task_id
    return await paginate_prepared(
        db, listed, count, page, workspace_id=workspace_id, user_id=user_id, start=start, end=end, **filters
    )


def _overlapping(start: str, end: str, *, excluding: bool) -> list[ColumnElement[bool]]:
    """A member's entries (``:workspace_id``, ``:user_id``) that overlap ``[:start, :end)`` (half-open, D9), but
    ``:exclude_id`` when ``excluding``: the conditions of the statements below, as named parameters."""
    where = [
        TimeEntry.workspace_id == bindparam("workspace_id"),
        TimeEntry.user_id == bindparam("user_id"),
        TimeEntry.started_at < bindparam(end, type_=UTCDateTime()),
        TimeEntry.ended_at > bindparam(start, type_=UTCDateTime()),
    ]
    if excluding:
        where.append(TimeEntry.id != bindparam("exclude_id"))
    return where


def _spans_statement(*, excluding: bool) -> PreparedRead:
    return PreparedRead(
        select(TimeEntry.started_at, TimeEntry.ended_at).where(*_overlapping("start", "end", excluding=excluding))
    )


_SPANS = {excluding: _spans_statement(excluding=excluding) for excluding in (False, True)}


async def overlapping_spans(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    start: datetime,
    end: datetime,
    *,
    exclude_id: str | None = None,
) -> list[tuple[datetime, datetime]]:
    """(start, end) of the member's entries that overlap ``[start, end)`` (half-open, D9): what saving time
    subtracts, read by a statement built once."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "user_id": user_id, "start": start, "end": end}
    if exclude_id is not None:
        params["exclude_id"] = exclude_id
    rows = await _SPANS[exclude_id is not None].all_in(session, **params)
    return [(row["started_at"], row["ended_at"]) for row in rows]


def _booked_statement(windows: int, *, excluding: bool) -> PreparedRead:
    """The seconds of a member's time on a contract inside each of ``windows`` windows (``s0``/``e0``, ...)."""
    sums = []
    for n in range(windows):
        start, end = bindparam(f"s{n}", type_=UTCDateTime()), bindparam(f"e{n}", type_=UTCDateTime())
        overlap = seconds_between(least(TimeEntry.ended_at, end), greatest(TimeEntry.started_at, start))
        inside = and_(TimeEntry.started_at < end, TimeEntry.ended_at > start)
        sums.append(func.coalesce(func.sum(case((inside, overlap), else_=0)), 0).label(f"w{n}"))
    where = [
        *_overlapping("first_start", "last_end", excluding=excluding),
        TimeEntry.contract_id == bindparam("contract_id"),
    ]
    return PreparedRead(select(*sums).where(*where))


_BOOKED: dict[tuple[int, bool], PreparedRead] = {}  # built on first use: (windows, excluding)


async def booked_seconds(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    contract_id: int,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    exclude_id: str | None = None,
) -> list[int]:
    """Seconds of the member's time on ``contract_id`` inside each of ``windows``, summed in SQL in one statement.

    The weekly limit's question (D9): only a number per week comes back, however many entries the week holds.
    The statement is built once for each number of windows (an interval spans one week, or a few).
    """
    if not windows:
        return []
    key = (len(windows), exclude_id is not None)
    statement = _BOOKED.get(key)
    if statement is None:
        statement = _BOOKED[key] = _booked_statement(len(windows), excluding=exclude_id is not None)
    params: dict[str, Any] = {
        "workspace_id": workspace_id,
        "user_id": user_id,
        "contract_id": contract_id,
        "first_start": min(start for start, _ in windows),
        "last_end": max(end for _, end in windows),
    }
    for n, (start, end) in enumerate(windows):
        params[f"s{n}"], params[f"e{n}"] = start, end
    if exclude_id is not None:
        params["exclude_id"] = exclude_id
    row = await statement.first_in(session, **params)
    assert row is not None  # an aggregate without GROUP BY answers one row
    return [int(row[f"w{n}"]) for n in range(len(windows))]


async def entries_with_rates(
    session: AsyncSession, workspace_id: int, user_ids: Sequence[int], start: datetime, end: datetime
) -> Sequence[Any]:
    """Entries of ``user_ids`` that overlap ``[start, end)`` (one that began before it counts its part in it, as
    in every report) with what a timesheet needs to total them."""
    if not user_ids:
        return []
    statement = (
        select(
            TimeEntry.user_id,
            TimeEntry.started_at,
            TimeEntry.ended_at,
            TimeEntry.duration_minutes,
            TimeEntry.contract_id,
            TimeEntry.project_id,
            Project.name.label("project_name"),
            Project.is_billable,
            Project.rate.label("project_rate"),
            Contract.rate.label("contract_rate"),
            Contract.rate_type,
            Membership.rate.label("member_rate"),
            Project.currency.label("project_currency"),
            Contract.currency.label("contract_currency"),
            Membership.currency.label("member_currency"),
        )
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Contract, Contract.id == TimeEntry.contract_id)
        .outerjoin(
            Membership, (Membership.user_id == TimeEntry.user_id) & (Membership.workspace_id == TimeEntry.workspace_id)
        )
        .where(
            TimeEntry.workspace_id == workspace_id,
            TimeEntry.user_id.in_(list(user_ids)),
            TimeEntry.started_at >= start - MAX_ENTRY_SPAN,  # the index's range
            TimeEntry.started_at < end,
            TimeEntry.ended_at > start,
        )
        .order_by(TimeEntry.started_at, TimeEntry.id)
    )
    return (await session.execute(statement)).all()


async def minutes_between(
    session: AsyncSession, workspace_id: int, user_id: int, start: datetime, end: datetime
) -> int:
    """Minutes of the member's entries that start within ``[start, end)``."""
    rows = await session.execute(
        select(TimeEntry.duration_minutes).where(
            TimeEntry.workspace_id == workspace_id,
            TimeEntry.user_id == user_id,
            TimeEntry.started_at >= start,
            TimeEntry.started_at < end,
        )
    )
    return sum(rows.scalars())


_INSERT_ENTRY = insert(TimeEntry.__table__)  # type: ignore[arg-type]  # Core: see insert_entries


async def insert_entries(session: AsyncSession, entries: Sequence[dict[str, Any]]) -> None:
    """Store new entries (their values, ids included) with a Core INSERT built once, not the ORM's unit of
    work: saving time is the busiest write (``make bench-peers``). What the session holds pending is flushed
    first, so the INSERT lands in the order the ORM would have written it."""
    await session.flush()
    await session.execute(_INSERT_ENTRY, list(entries))


async def delete_entry(session: AsyncSession, entry: TimeEntry) -> None:
    await session.execute(delete(TimeEntry).where(TimeEntry.id == entry.id))


# Namespace for pg_advisory_xact_lock(ns, user_id): serialises writes of one member's time.
_TIME_LOCK_NAMESPACE = 0x5754


async def lock_member_time(session: AsyncSession, workspace_id: int, user_id: int) -> None:
    """Serialise concurrent writes of one member's time (D9) until the transaction ends: every path that saves
    time takes it first.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every write transaction is already
    serialised by BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :user_id)"), {"ns": _TIME_LOCK_NAMESPACE, "user_id": user_id}
        )
