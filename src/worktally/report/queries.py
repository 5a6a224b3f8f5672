"""Every query the reports run: SQLAlchemy Core, the same on SQLite and PostgreSQL.

The aggregation happens in the database, a constant number of statements per report page. Days are
the members' own days (D9): time is bucketed with ``db/functions.py``. Entries are read once, each with
its member's local start and end days, and split at local midnights only where needed:

- an entry within one local day (nearly all of them) counts whole on that day;
- an entry whose end falls on a later local day meets the day buckets it overlaps and is clipped to each.
  Its join key is its timezone; the others' key is NULL, so they pass the buckets without a comparison.

Entries are found by ``started_at`` (the ``workspace_id, started_at`` index) looking back at most
``MAX_ENTRY_SPAN`` before the range: a week is the longest an entry can be, as no contract allows more
than 168 hours a week (D9, D13).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    Subquery,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
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
    ActivitySlot,
    Contract,
    Holiday,
    LeavePolicy,
    LeaveRequest,
    Membership,
    Project,
    Task,
    TeamMember,
    TimeEntry,
    User,
    Workspace,
)
from worktally.db.types import UTCDateTime

AnySelect = Select[*tuple[Any, ...]]
Column = ColumnElement[Any] | InstrumentedAttribute[Any]

MAX_ENTRY_SPAN = timedelta(days=7)
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


# --- task report and activity descriptions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskFilters:
    project_ids: Sequence[int] | None = None
    task_ids: Sequence[int] | None = None
    include_no_task: bool = True


def _task_where(filters: TaskFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.project_ids is not None:
        where.append(TimeEntry.project_id.in_(filters.project_ids))
    if filters.task_ids is not None:
        task_match = TimeEntry.task_id.in_(filters.task_ids)
        where.append(or_(task_match, TimeEntry.task_id.is_(None)) if filters.include_no_task else task_match)
    elif not filters.include_no_task:
        where.append(TimeEntry.task_id.is_not(None))
    return where


def task_days_statement(reach: Reach, days: Days, filters: TaskFilters, user_ids: Sequence[int]) -> AnySelect:
    """Seconds per user, task and day for one page of users."""
    parts = day_parts(
        reach,
        days,
        [TimeEntry.user_id, TimeEntry.task_id, TimeEntry.project_id],
        [*_task_where(filters), TimeEntry.user_id.in_(user_ids)],
    )
    grouped = (
        select(
            parts.c.user_id, parts.c.task_id, parts.c.project_id, parts.c.day, sum_seconds(parts.c.seconds).label("s")
        )
        .group_by(parts.c.user_id, parts.c.task_id, parts.c.project_id, parts.c.day)
        .subquery("grouped")
    )
    return (
        select(
            grouped.c.user_id,
            grouped.c.task_id,
            grouped.c.project_id,
            grouped.c.day,
            grouped.c.s.label("seconds"),
            Task.title.label("task_title"),
            Project.name.label("project_name"),
        )
        .outerjoin(Task, Task.id == grouped.c.task_id)
        .outerjoin(Project, Project.id == grouped.c.project_id)
        .order_by(
            grouped.c.user_id,
            grouped.c.project_id.is_(None),  # NULLs sort differently on SQLite and PostgreSQL: last, explicitly
            Project.name,
            grouped.c.project_id,
            grouped.c.task_id.is_(None),
            Task.title,
            grouped.c.task_id,
            grouped.c.day,
        )
    )


def task_totals_statement(reach: Reach, days: Days, filters: TaskFilters, user_ids: Sequence[int] | None) -> AnySelect:
    """Seconds per task over every user in the filter (the report's ``tasks_breakdown``)."""
    where = _task_where(filters)
    if user_ids is not None:
        where.append(TimeEntry.user_id.in_(user_ids))
    where.append(
        TimeEntry.user_id.in_(
            select(Membership.user_id).where(
                Membership.workspace_id == reach.workspace_id,
                *reported_member(),
            )
        )
    )
    parts = day_parts(reach, days, [TimeEntry.task_id, TimeEntry.project_id], where)
    grouped = (
        select(parts.c.task_id, parts.c.project_id, sum_seconds(parts.c.seconds).label("s"))
        .group_by(parts.c.task_id, parts.c.project_id)
        .subquery("grouped")
    )
    return (
        select(
            grouped.c.task_id,
            grouped.c.project_id,
            grouped.c.s.label("seconds"),
            Task.title.label("task_title"),
            Project.name.label("project_name"),
        )
        .outerjoin(Task, Task.id == grouped.c.task_id)
        .outerjoin(Project, Project.id == grouped.c.project_id)
        .order_by(
            grouped.c.project_id.is_(None),
            Project.name,
            grouped.c.project_id,
            grouped.c.task_id.is_(None),
            Task.title,
            grouped.c.task_id,
        )
    )


def descriptions_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Seconds per user and activity description for one page of users."""
    parts = day_parts(
        reach, days, [TimeEntry.user_id, TimeEntry.activity_description], [TimeEntry.user_id.in_(user_ids)]
    )
    total = sum_seconds(parts.c.seconds)
    return (
        select(parts.c.user_id, parts.c.activity_description, total.label("seconds"))
        .group_by(parts.c.user_id, parts.c.activity_description)
        .order_by(parts.c.user_id, total.desc(), parts.c.activity_description.is_(None), parts.c.activity_description)
    )


# --- one day: timeline and attendance -----------------------------------------------------------


def _one_day_entries(reach: Reach, days: Days, user_ids: Sequence[int]) -> tuple[Subquery, Any]:
    """Entries of these users overlapping their own day, clipped to it (``days`` holds a single date)."""
    buckets = day_buckets(days.rows, days.dialect)
    low, high = days.utc_bounds
    clipped_start = greatest(TimeEntry.started_at, buckets.c.starts_at)
    clipped_end = least(TimeEntry.ended_at, buckets.c.ends_at)
    stmt = (
        select(
            TimeEntry.id,
            TimeEntry.user_id,
            TimeEntry.project_id,
            TimeEntry.task_id,
            TimeEntry.activity_description,
            TimeEntry.method,
            TimeEntry.leave_request_id,
            clipped_start.label("starts_at"),
            clipped_end.label("ends_at"),
            whole_minutes(seconds_between(clipped_end, clipped_start)).label("seconds"),
        )
        .select_from(TimeEntry)
        .join(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .join(
            buckets,
            and_(
                buckets.c.timezone == days.tz_key,
                TimeEntry.started_at < buckets.c.ends_at,
                TimeEntry.ended_at > buckets.c.starts_at,
            ),
        )
        .where(
            TimeEntry.workspace_id == reach.workspace_id,
            TimeEntry.user_id.in_(user_ids),
            TimeEntry.started_at >= low - MAX_ENTRY_SPAN,
            TimeEntry.started_at < high,
            TimeEntry.ended_at > low,
            *reach.entry_filter(),
        )
    )
    return stmt.subquery("day_entries"), buckets


def timeline_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Each entry of the day (clipped to the member's day) with its names and average activity (D15)."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    activity = (
        select(func.avg(ActivitySlot.activity_level))
        .where(
            ActivitySlot.workspace_id == reach.workspace_id,
            ActivitySlot.user_id == entries.c.user_id,
            ActivitySlot.slot_start >= entries.c.starts_at,
            ActivitySlot.slot_start < entries.c.ends_at,
        )
        .scalar_subquery()
    )
    return (
        select(
            entries,
            Project.name.label("project_name"),
            Task.title.label("task_title"),
            activity.label("activity_level"),
        )
        .outerjoin(Project, Project.id == entries.c.project_id)
        .outerjoin(Task, Task.id == entries.c.task_id)
        .order_by(entries.c.user_id, entries.c.starts_at, entries.c.id)
    )


def attendance_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Per user: first start, last end and seconds worked in their day (leave and holiday time excluded)."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    return (
        select(
            entries.c.user_id,
            func.min(entries.c.starts_at).label("first_start"),
            func.max(entries.c.ends_at).label("last_end"),
            sum_seconds(entries.c.seconds).label("seconds"),
        )
        .where(entries.c.leave_request_id.is_(None), entries.c.method.not_in(ABSENCE_METHODS))
        .group_by(entries.c.user_id)
    )


def breaks_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Gaps between a member's consecutive entries of the day: ``user_id, starts_at, ends_at``."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    worked = (
        select(
            entries.c.user_id,
            entries.c.starts_at,
            func.max(entries.c.ends_at)
            .over(
                partition_by=entries.c.user_id,
                order_by=(entries.c.starts_at, entries.c.id),
                rows=(None, -1),
            )
            .label("previous_end"),
        )
        .where(entries.c.leave_request_id.is_(None), entries.c.method.not_in(ABSENCE_METHODS))
        .subquery("worked")
    )
    return (
        select(worked.c.user_id, worked.c.previous_end.label("starts_at"), worked.c.starts_at.label("ends_at"))
        .where(worked.c.previous_end < worked.c.starts_at)
        .order_by(worked.c.user_id, worked.c.starts_at)
    )


def leaves_statement(workspace_id: int, day: date, user_ids: Sequence[int]) -> AnySelect:
    """Approved leave of these users covering ``day`` (dates are the member's own, D9)."""
    return (
        select(
            LeaveRequest.user_id,
            LeaveRequest.leave_period,
            LeaveRequest.start_time,
            LeaveRequest.end_time,
            LeaveRequest.hours_per_day,
            LeavePolicy.name.label("policy_name"),
            LeavePolicy.unit,
        )
        .join(LeavePolicy, LeavePolicy.id == LeaveRequest.policy_id)
        .where(
            LeaveRequest.workspace_id == workspace_id,
            LeaveRequest.user_id.in_(user_ids),
            LeaveRequest.status == "approved",
            LeaveRequest.start_date <= day,
            LeaveRequest.end_date >= day,
        )
        .order_by(LeaveRequest.user_id, LeaveRequest.start_date, LeaveRequest.id)
    )


def holiday_statement(workspace_id: int, day: date) -> AnySelect:
    return select(Holiday.name).where(Holiday.workspace_id == workspace_id, Holiday.holiday_date == day)


# --- activity level -------------------------------------------------------------------------------


def _slots(reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int] | None) -> Subquery:
    """The activity slots within each member's own days: ``user_id``, ``activity_level`` and the local ``day``.

    Each member's range is worked out once per member (OFFSET 0 keeps the members a subquery of their own on
    PostgreSQL) and the slots are compared with it: a month is hundreds of thousands of slots.
    """
    low, high = days.utc_bounds
    starts_at, ends_at = days.member_range()
    members = select(
        Membership.user_id, days.tz_safe.label("tz"), starts_at.label("starts_at"), ends_at.label("ends_at")
    ).where(Membership.workspace_id == reach.workspace_id, *reported_member(), *reach.member_filter())
    if user_ids is not None:
        members = members.where(Membership.user_id.in_(user_ids))
    member = members.offset(0).subquery("member")
    stmt = (
        select(
            ActivitySlot.user_id,
            ActivitySlot.activity_level,
            local_date(ActivitySlot.slot_start, member.c.tz).label("day"),
        )
        .join(member, member.c.user_id == ActivitySlot.user_id)
        .where(
            ActivitySlot.workspace_id == reach.workspace_id,
            ActivitySlot.slot_start >= low,
            ActivitySlot.slot_start < high,
            ActivitySlot.slot_start >= member.c.starts_at,
            ActivitySlot.slot_start < member.c.ends_at,
        )
    )
    if contract_id is not None:
        stmt = stmt.where(
            exists().where(
                TimeEntry.workspace_id == reach.workspace_id,
                TimeEntry.user_id == ActivitySlot.user_id,
                TimeEntry.contract_id == contract_id,
                TimeEntry.started_at <= ActivitySlot.slot_start,
                TimeEntry.ended_at > ActivitySlot.slot_start,
            )
        )
    return stmt.subquery("slots")


def activity_days_statement(reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int]) -> AnySelect:
    """Average activity and slot count per user per local day, for one page of users."""
    slots = _slots(reach, days, contract_id, user_ids)
    return (
        select(
            slots.c.user_id,
            slots.c.day,
            func.avg(slots.c.activity_level).label("activity_level"),
            func.count().label("slots"),
        )
        .group_by(slots.c.user_id, slots.c.day)
        .order_by(slots.c.user_id, slots.c.day)
    )


def activity_overall_statement(
    reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int] | None
) -> AnySelect:
    """Average activity over every slot of every user in the filter.

    Summed per user first: a month of slots is hundreds of thousands of rows, and COUNT(DISTINCT) would sort them.
    """
    slots = _slots(reach, days, contract_id, user_ids)
    per_user = (
        select(
            cast(func.sum(slots.c.activity_level), BigInteger).label("levels"),
            func.count().label("slots"),
        )
        .group_by(slots.c.user_id)
        .subquery("per_user")
    )
    total_slots = cast(func.sum(per_user.c.slots), BigInteger)
    return select(
        (cast(func.sum(per_user.c.levels), Float()) / func.nullif(total_slots, 0)).label("activity_level"),
        func.coalesce(total_slots, 0).label("slots"),
        func.count().label("users"),
    )
