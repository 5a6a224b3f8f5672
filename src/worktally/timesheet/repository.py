from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.pagination import AnySelect
from worktally.auth.visibility import IdSubquery
from worktally.core.clock import utc_now
from worktally.core.ids import new_public_id
from worktally.db.models import Membership, Timesheet, User
from worktally.db.prepared import PreparedRead
from worktally.db.repository import get_in_workspace


async def get(session: AsyncSession, workspace_id: int, timesheet_id: str) -> Timesheet | None:
    return await get_in_workspace(session, Timesheet, workspace_id, timesheet_id)


_APPROVED_BETWEEN = PreparedRead(
    select(Timesheet.id)
    .where(
        Timesheet.workspace_id == bindparam("workspace_id"),
        Timesheet.user_id == bindparam("user_id"),
        Timesheet.status == "approved",
        Timesheet.date_from <= bindparam("last"),
        Timesheet.date_to >= bindparam("first"),
    )
    .limit(1)
)


async def any_approved_between(session: AsyncSession, workspace_id: int, user_id: int, first: date, last: date) -> bool:
    """Whether an approved timesheet of the member covers a day of ``first``..``last`` (built once: every
    save of time asks)."""
    found = await _APPROVED_BETWEEN.first_in(
        session, workspace_id=workspace_id, user_id=user_id, first=first, last=last
    )
    return found is not None


# The one period of one member that saving time usually lands in: built once.
_STARTED_ON = PreparedRead(
    select(Timesheet.user_id, Timesheet.date_from).where(
        Timesheet.workspace_id == bindparam("workspace_id"),
        Timesheet.user_id == bindparam("user_id"),
        Timesheet.date_from == bindparam("date_from"),
    )
)


async def existing_starts(
    session: AsyncSession, workspace_id: int, user_ids: Sequence[int], starts: Sequence[date]
) -> set[tuple[int, date]]:
    """Which of the periods starting on ``starts`` the members ``user_ids`` already have a timesheet for."""
    if len(user_ids) == 1 and len(starts) == 1:
        row = await _STARTED_ON.first_in(session, workspace_id=workspace_id, user_id=user_ids[0], date_from=starts[0])
        return {(row["user_id"], row["date_from"])} if row is not None else set()
    rows = await session.execute(
        select(Timesheet.user_id, Timesheet.date_from).where(
            Timesheet.workspace_id == workspace_id,
            Timesheet.user_id.in_(list(user_ids)),
            Timesheet.date_from.in_(list(starts)),
        )
    )
    return {(r.user_id, r.date_from) for r in rows}


_INSERT_CHUNK = 500  # rows per statement: well inside SQLite's and asyncpg's bound-parameter limits


async def insert_missing(
    session: AsyncSession, workspace_id: int, sheets: Sequence[tuple[int, date, date]]
) -> list[Timesheet]:
    """Create the timesheets ``(user_id, date_from, date_to)`` that do not exist yet, in a few statements.

    ``ON CONFLICT DO NOTHING`` on the unique key: one that exists, or that a concurrent request creates
    first, is left as it is; the ones this call created are returned (``RETURNING`` gives only those). One statement per chunk rather than a savepoint and an INSERT per row: a long
    range listed for the first time (up to two thousand periods) stays one round trip or four.
    """
    if not sheets:
        return []
    created: list[Timesheet] = []
    now = utc_now()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(sheets), _INSERT_CHUNK):
        rows = [
            {
                "id": new_public_id(),
                "workspace_id": workspace_id,
                "user_id": user_id,
                "date_from": date_from,
                "date_to": date_to,
                "status": "pending",
                "created_at": now,
                "updated_at": now,
            }
            for user_id, date_from, date_to in sheets[start : start + _INSERT_CHUNK]
        ]
        statement = insert(Timesheet).values(rows)
        statement = statement.on_conflict_do_nothing(index_elements=["workspace_id", "user_id", "date_from"])
        created.extend((await session.scalars(statement.returning(Timesheet))).all())
    return created


async def time_owner_ids(session: AsyncSession, workspace_id: int, visible: IdSubquery | None) -> list[int]:
    """Active members who own time (everyone but project viewers), within ``visible``."""
    statement = select(Membership.user_id).where(
        Membership.workspace_id == workspace_id,
        Membership.status == "active",
        Membership.is_staff,
    )
    if visible is not None:
        statement = statement.where(Membership.user_id.in_(visible))
    return list((await session.execute(statement.order_by(Membership.user_id))).scalars())


def list_statement(
    workspace_id: int,
    *,
    visible: IdSubquery | None,
    status: str | None,
    date_from: date | None,
    date_to: date | None,
    user_id: int | None,
    timesheet_id: str | None,
    descending: bool,
) -> AnySelect:
    statement = (
        select(Timesheet, User).join(User, User.id == Timesheet.user_id).where(Timesheet.workspace_id == workspace_id)
    )
    if visible is not None:
        statement = statement.where(Timesheet.user_id.in_(visible))
    if status is not None:
        statement = statement.where(Timesheet.status == status)
    if date_from is not None:
        statement = statement.where(Timesheet.date_to >= date_from)
    if date_to is not None:
        statement = statement.where(Timesheet.date_from <= date_to)
    if user_id is not None:
        statement = statement.where(Timesheet.user_id == user_id)
    if timesheet_id is not None:
        statement = statement.where(Timesheet.id == timesheet_id)
    columns = (Timesheet.date_from, Timesheet.created_at, Timesheet.user_id, Timesheet.id)
    return statement.order_by(*(c.desc() for c in columns) if descending else columns)
