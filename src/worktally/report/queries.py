"""Every query the reports run: SQLAlchemy Core, the same on SQLite and PostgreSQL.

The aggregation happens in the database, a constant number of statements per report page. Days are
the members' own days (D9): time is bucketed with ``db/functions.py``. Entries are read once, each with
its member's local start and end days, and split at local midnights only where needed:

- an entry within one local day (nearly all of them) counts whole on that day;
- an entry whose end falls on a later local day meets the day buckets it overlaps and is clipped to each.
  Its join key is its timezone; the others' key is NULL, so they pass the buckets without a comparison.

Entries are found by ``started_at`` (the ``workspace_id, started_at`` index) looking back at most
``MAX_ENTRY_SPAN`` (``time_entry/rules.py``) before the range.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    Subquery,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from worktally.db.functions import (
    DayBucket,
    day_bucket_rows,
    day_buckets,
    greatest,
    is_known_zone,
    least,
    local_date,
    seconds_between,
    utc_range,
)
from worktally.db.models import (
    Contract,
    Membership,
    Project,
    TeamMember,
    TimeEntry,
    User,
    Workspace,
)
from worktally.db.types import UTCDateTime
from worktally.time_entry.rules import MAX_ENTRY_SPAN

AnySelect = Select[*tuple[Any, ...]]
Column = ColumnElement[Any] | InstrumentedAttribute[Any]

# Time that is not presence, for attendance (leave and holidays are reported on their own).
ABSENCE_METHODS = ("Paid leave", "Paid holiday")
LISTED_STATUSES = ("active", "left")


def reported_member(statuses: Sequence[str] = LISTED_STATUSES) -> tuple[ColumnElement[bool], ...]:
    """Who the reports list (on ``Membership``): members of these statuses, project viewers never."""
    return Membership.status.in_(statuses), Membership.is_staff.expression


@dataclass(frozen=True, slots=True)
class Reach:
    """What the caller may see (D6), as SQL; built by the service from ``auth/visibility.py``."""

    workspace_id: int
    user_ids: AnySelect | None = None  # None: every member
    # Project manager: entries on these projects, or their own (``self_id``).
    project_ids: AnySelect | None = None
    self_id: int | None = None

    def entry_filter(self) -> list[ColumnElement[bool]]:
        if self.project_ids is not None:
            return [or_(TimeEntry.user_id == self.self_id, TimeEntry.project_id.in_(self.project_ids))]
        if self.user_ids is not None:
            return [TimeEntry.user_id.in_(self.user_ids)]
        return []

    def member_filter(self) -> list[ColumnElement[bool]]:
        if self.user_ids is None:
            return []
        if self.self_id is not None:
            return [or_(Membership.user_id == self.self_id, Membership.user_id.in_(self.user_ids))]
        return [Membership.user_id.in_(self.user_ids)]


@dataclass(slots=True)
class Days:
    """The local days ``[start_date, end_date]`` of every timezone in the workspace, as buckets."""

    workspace_timezone: str
    start_date: date
    end_date: date
    timezones: list[str]
    dialect: str
    rows: list[DayBucket] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = day_bucket_rows([*self.timezones, self.workspace_timezone], self.start_date, self.end_date)

    @property
    def tz_key(self) -> ColumnElement[str]:
        """A member's timezone as stored (D9: the workspace's when unset); joins buckets."""
        return func.coalesce(Membership.timezone, literal(self.workspace_timezone))

    @property
    def tz_safe(self) -> ColumnElement[str]:
        """The same, with names the database would reject read as UTC (as the buckets read them)."""
        unknown = [name for name in self.timezones if not is_known_zone(name)]
        if not unknown:
            return self.tz_key
        return case((self.tz_key.in_(unknown), literal("UTC")), else_=self.tz_key)

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        return utc_range(self.rows)

    def member_range(self) -> tuple[ColumnElement[datetime], ColumnElement[datetime]]:
        """A member's whole range in UTC, from the first local midnight of their timezone to its last (D9).

        A CASE over the workspace's few timezones, evaluated per member: instants are kept within their member's
        own days without computing a local date for each of hundreds of thousands of rows.
        """
        first: dict[str, datetime] = {}
        last: dict[str, datetime] = {}
        for bucket in self.rows:
            first.setdefault(bucket.timezone, bucket.starts_at)
            last[bucket.timezone] = bucket.ends_at
        return (
            case({tz: literal(at, UTCDateTime()) for tz, at in first.items()}, value=self.tz_key),
            case({tz: literal(at, UTCDateTime()) for tz, at in last.items()}, value=self.tz_key),
        )


# --- small lookups -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkspaceInfo:
    timezone: str
    owner_timezone: str
    workday_start_time: str
    expected_daily_minutes: int
    late_grace_minutes: int
    weekend_days: str
    timezones: list[str]


REPORT_WORK_MEM = "64MB"


async def workspace_info(
    session: AsyncSession, workspace_id: int, user_ids: Sequence[int] | None = None
) -> WorkspaceInfo:
    """The workspace's settings, its owner's timezone and every member timezone in use (two statements).

    On PostgreSQL the report's transaction also gets room to sort and hash a month of entries in memory.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    owner_tz = (
        select(Membership.timezone)
        .where(Membership.workspace_id == Workspace.id, Membership.user_id == Workspace.owner_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                Workspace.timezone,
                owner_tz.label("owner_timezone"),
                Workspace.workday_start_time,
                Workspace.expected_daily_minutes,
                Workspace.late_grace_minutes,
                Workspace.weekend_days,
            ).where(Workspace.id == workspace_id)
        )
    ).one()
    zones = (
        select(Membership.timezone)
        .distinct()
        .where(Membership.workspace_id == workspace_id, Membership.timezone.is_not(None))
    )
    if user_ids is not None:
        zones = zones.where(Membership.user_id.in_(user_ids))
    timezones = (await session.execute(zones)).scalars().all()
    return WorkspaceInfo(
        timezone=row.timezone,
        owner_timezone=row.owner_timezone or row.timezone,
        workday_start_time=row.workday_start_time,
        expected_daily_minutes=row.expected_daily_minutes,
        late_grace_minutes=row.late_grace_minutes,
        weekend_days=row.weekend_days,
        timezones=[tz for tz in timezones if tz],
    )


@asynccontextmanager
async def hash_aggregation(session: AsyncSession) -> AsyncIterator[None]:
    """Statements run inside group by hashing on PostgreSQL, however few rows the planner expects.

    The planner multiplies the selectivities of ``started_at`` in the range and ``ended_at`` after its start as
    if they were independent, so it expects a tenth of a month's entries or fewer (the more years stored, the
    fewer) and sorts them to group them: with three years stored the same month cost a fifth more. Hashing is
    the right plan for any count, so sorting is ruled out for these statements only.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        await session.execute(text("SET LOCAL enable_sort = off"))
    yield  # on an error the transaction is rolled back, the setting with it
    if postgres:
        await session.execute(text("SET LOCAL enable_sort TO DEFAULT"))


def members_statement(
    reach: Reach,
    days: Days,
    *,
    user_ids: Sequence[int] | None = None,
    statuses: Sequence[str] = LISTED_STATUSES,
) -> AnySelect:
    """The members a per-user report pages over, ordered by name then id (D5)."""
    stmt = (
        select(Membership.user_id, User.firstname, User.lastname, days.tz_key.label("timezone"))
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == reach.workspace_id,
            *reported_member(statuses),
            *reach.member_filter(),
        )
        .order_by(User.firstname, User.lastname, Membership.user_id)
    )
    if user_ids is not None:
        stmt = stmt.where(Membership.user_id.in_(user_ids))
    return stmt


# --- splitting time at local midnights -------------------------------------------------------------


def _entries(reach: Reach, days: Days, columns: Sequence[Column], where: Sequence[ColumnElement[bool]]) -> Subquery:
    """The entries overlapping the range, read once, with their member's local start and end days."""
    low, high = days.utc_bounds
    return (
        select(
            *columns,
            TimeEntry.started_at.label("started_at"),
            TimeEntry.ended_at.label("ended_at"),
            days.tz_key.label("tz"),
            local_date(TimeEntry.started_at, days.tz_safe).label("start_day"),
            local_date(TimeEntry.ended_at, days.tz_safe).label("end_day"),
        )
        .select_from(TimeEntry)
        .join(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .where(
            TimeEntry.workspace_id == reach.workspace_id,
            TimeEntry.started_at >= low - MAX_ENTRY_SPAN,
            TimeEntry.started_at < high,
            TimeEntry.ended_at > low,
            *reach.entry_filter(),
            *where,
        )
        # OFFSET 0 keeps this a subquery of its own on PostgreSQL: the local days are computed once per entry
        # instead of once per use, and without materialising the rows as a CTE would (a third of the time).
        .offset(0)
        .subquery("entries")
    )


def whole_minutes(seconds: ColumnElement[Any]) -> ColumnElement[int]:
    """One piece's seconds rounded to whole minutes, half a minute up, still in seconds: the SQL form of
    ``core.billing.minutes``, so every sum of pieces is a sum of their whole minutes (core/billing.py)."""
    return cast((seconds + 30) // 60 * 60, BigInteger)


def sum_seconds(seconds: ColumnElement[Any]) -> ColumnElement[int]:
    """SUM of seconds as an integer (PostgreSQL widens SUM(bigint) to numeric)."""
    return cast(func.sum(seconds), BigInteger)


def day_parts(
    reach: Reach, days: Days, columns: Sequence[Column], where: Sequence[ColumnElement[bool]] = ()
) -> Subquery:
    """Each entry's part in each local day of the range: ``day``, the given columns and ``seconds``."""
    buckets = day_buckets(days.rows, days.dialect)
    names = [str(c.key) for c in columns]
    entries = _entries(reach, days, columns, where)
    crossing = entries.c.end_day > entries.c.start_day
    parts = entries.outerjoin(
        buckets,
        and_(
            buckets.c.timezone == case((crossing, entries.c.tz)),
            buckets.c.day >= entries.c.start_day,
            buckets.c.day <= entries.c.end_day,
            buckets.c.starts_at < entries.c.ended_at,
        ),
    )
    seconds = seconds_between(
        least(entries.c.ended_at, func.coalesce(buckets.c.ends_at, entries.c.ended_at)),
        greatest(entries.c.started_at, func.coalesce(buckets.c.starts_at, entries.c.started_at)),
    )
    within_range = entries.c.start_day.between(literal(days.start_date, Date()), literal(days.end_date, Date()))
    return (
        select(
            func.coalesce(buckets.c.day, entries.c.start_day).label("day"),
            *[entries.c[n] for n in names],
            whole_minutes(seconds).label("seconds"),
        )
        .select_from(parts)
        .where(or_(buckets.c.day.is_not(None), and_(entries.c.end_day == entries.c.start_day, within_range)))
        .subquery("parts")
    )


# --- tracked hours --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackedFilters:
    user_ids: Sequence[int] | None = None
    project_ids: Sequence[int] | None = None
    team_ids: Sequence[int] | None = None
    titles: Sequence[str] | None = None


def tracked_filters(filters: TrackedFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.user_ids is not None:
        where.append(TimeEntry.user_id.in_(filters.user_ids))
    if filters.project_ids is not None:
        where.append(TimeEntry.project_id.in_(filters.project_ids))
    if filters.team_ids is not None:
        where.append(TimeEntry.user_id.in_(select(TeamMember.user_id).where(TeamMember.team_id.in_(filters.team_ids))))
    if filters.titles is not None:
        where.append(Membership.title.in_(filters.titles))
    return where


def tracked_hours_statement(reach: Reach, days: Days, filters: TrackedFilters) -> AnySelect:
    """Seconds per day, user, project and contract (names and rates come from ``rate_lookups``)."""
    parts = day_parts(
        reach, days, [TimeEntry.user_id, TimeEntry.project_id, TimeEntry.contract_id], tracked_filters(filters)
    )
    keys = (parts.c.day, parts.c.user_id, parts.c.project_id, parts.c.contract_id)
    # Unordered: the service orders members and projects by name while it shapes the rows.
    return select(*keys, sum_seconds(parts.c.seconds).label("seconds")).group_by(*keys)


def _among(column: InstrumentedAttribute[int], ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter, so one prepared statement for any count."""
    if dialect == "postgresql":
        return column == any_(bindparam(f"{column.key}_ids", list(ids), type_=ARRAY(Integer())))
    return column.in_(ids)


def member_lookup_statement(workspace_id: int, user_ids: Sequence[int], dialect: str) -> AnySelect:
    return (
        select(User.id, User.firstname, User.lastname, Membership.rate, Membership.currency)
        .join(Membership, and_(Membership.user_id == User.id, Membership.workspace_id == workspace_id))
        .where(_among(User.id, user_ids, dialect))
    )


def project_lookup_statement(workspace_id: int, project_ids: Sequence[int], dialect: str) -> AnySelect:
    return select(Project.id, Project.name, Project.is_billable, Project.rate, Project.currency).where(
        Project.workspace_id == workspace_id, _among(Project.id, project_ids, dialect)
    )


def contract_lookup_statement(workspace_id: int, contract_ids: Sequence[int], dialect: str) -> AnySelect:
    return select(Contract.id, Contract.rate_type, Contract.rate, Contract.currency).where(
        Contract.workspace_id == workspace_id, _among(Contract.id, contract_ids, dialect)
    )
