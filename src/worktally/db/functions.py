"""SQL pieces that differ between SQLite and PostgreSQL, written once (used by ``report/queries.py``).

A member's day is read in their IANA timezone (D9), so reports bucket UTC instants into local dates:

- ``local_date(ts, tz)``: the calendar date of the UTC instant ``ts`` in zone ``tz``. PostgreSQL does this
  natively (``timezone(tz, ts)::date``); SQLite has no time zones, so a deterministic Python function
  (``wt_local_date``) is registered on every SQLite connection.
- ``day_buckets(...)``: one row per (timezone, local date) with the UTC instants of that day's local
  midnights, computed in Python with ``zoneinfo`` (DST days are 23 or 25 hours long) and sent as a
  ``VALUES`` CTE. Reports join intervals to buckets to split an entry that crosses a member's midnight.
- ``greatest``/``least`` of two datetimes (``GREATEST``/``LEAST`` on PostgreSQL, scalar ``MAX``/``MIN``
  on SQLite) clip an interval to a bucket; ``seconds_between`` measures the clipped part.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    bindparam,
    cast,
    column,
    event,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from worktally.core.timezones import is_known_zone, local_midnight_utc, zone
from worktally.db.types import UTCDateTime

_SQLITE_LOCAL_DATE = "wt_local_date"


def exact_sum_hundredths(column: Any) -> ColumnElement[Any]:
    """D14: an exact SUM of a 2-place decimal column, as integer hundredths.

    Exact on PostgreSQL (NUMERIC) and on SQLite, where money is stored as text and SUM would
    otherwise add binary floats. Read the result back with ``from_hundredths``.
    """
    return func.coalesce(func.sum(cast(func.round(cast(column, Numeric(14, 2)) * 100), BigInteger)), 0)


def from_hundredths(value: Any) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


# --- local_date --------------------------------------------------------------------------------


class local_date(FunctionElement[date]):
    """``local_date(ts, tz)``: the date of the UTC instant ``ts`` in IANA zone ``tz``."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "postgresql")
def _local_date_pg(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    ts, tz = list(element.clauses)
    return f"CAST(timezone({compiler.process(tz, **kw)}, {compiler.process(ts, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    ts, tz = list(element.clauses)
    return f"{_SQLITE_LOCAL_DATE}({compiler.process(ts, **kw)}, {compiler.process(tz, **kw)})"


def _sqlite_local_date(stored: str | None, tz: str | None) -> str | None:
    # SQLite stores UTCDateTime as naive UTC text ("YYYY-MM-DD HH:MM:SS.ffffff").
    if stored is None:
        return None
    try:
        instant = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    except ValueError:
        return None
    return instant.astimezone(zone(tz)).date().isoformat()


@event.listens_for(Engine, "connect")
def _register_sqlite_functions(dbapi_connection: Any, _record: Any) -> None:
    module = type(dbapi_connection).__module__
    if "sqlite" in module:
        dbapi_connection.create_function(_SQLITE_LOCAL_DATE, 2, _sqlite_local_date, deterministic=True)


# --- greatest / least ----------------------------------------------------------------------------


class greatest(FunctionElement[datetime]):
    type = UTCDateTime()
    inherit_cache = True
    name = "greatest"


class least(FunctionElement[datetime]):
    type = UTCDateTime()
    inherit_cache = True
    name = "least"


@compiles(greatest)
def _greatest_default(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"MAX({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least_default(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"MIN({compiler.process(element.clauses, **kw)})"


# --- seconds_between ------------------------------------------------------------------------------


class seconds_between(FunctionElement[int]):
    """``seconds_between(end, start)``: whole seconds from ``start`` to ``end`` (rounded), as an integer."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = list(element.clauses)
    # date_part is a double precision; EXTRACT a numeric, which costs ~15 ms more per 100,000 rows. Half a second
    # rounds up, as ROUND would (round() of a double rounds half to even).
    difference = f"{compiler.process(end, **kw)} - {compiler.process(start, **kw)}"
    return f"CAST(FLOOR(DATE_PART('epoch', {difference}) + 0.5) AS BIGINT)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"CAST(ROUND((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
        " * 86400.0) AS INTEGER)"
    )


# --- day buckets ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayBucket:
    timezone: str
    day: date
    starts_at: datetime
    ends_at: datetime


def day_bucket_rows(timezones: Iterable[str], start_date: date, end_date: date) -> list[DayBucket]:
    """One bucket per timezone per local date in ``[start_date, end_date]``, bounded by local midnights."""
    rows: list[DayBucket] = []
    for name in sorted(set(timezones)):
        tz = zone(name)
        day = start_date
        while day <= end_date:
            following = day + timedelta(days=1)
            rows.append(DayBucket(name, day, local_midnight_utc(day, tz), local_midnight_utc(following, tz)))
            day = following
    return rows


def day_buckets(rows: list[DayBucket], dialect: str, name: str = "day_buckets") -> CTE:
    """The buckets as a CTE with columns ``timezone``, ``day``, ``starts_at``, ``ends_at``.

    The rows travel as one parameter (PostgreSQL arrays through ``unnest``, a JSON array through SQLite's
    ``json_each``), so the statement's text does not depend on the range and is compiled and prepared once.
    """
    if dialect == "postgresql":
        table = (
            func.unnest(
                bindparam(f"{name}_tz", [r.timezone for r in rows], type_=ARRAY(String())),
                bindparam(f"{name}_day", [r.day for r in rows], type_=ARRAY(Date())),
                bindparam(f"{name}_start", [r.starts_at for r in rows], type_=ARRAY(DateTime(timezone=True))),
                bindparam(f"{name}_end", [r.ends_at for r in rows], type_=ARRAY(DateTime(timezone=True))),
            )
            .table_valued(
                column("timezone", String()),
                column("day", Date()),
                column("starts_at", UTCDateTime()),
                column("ends_at", UTCDateTime()),
            )
            .render_derived(name=f"{name}_rows")
        )
        return select(table.c.timezone, table.c.day, table.c.starts_at, table.c.ends_at).cte(name)
    if dialect == "sqlite":
        # SQLite compares the stored text of UTCDateTime, so the instants go in that very format.
        data = json.dumps(
            [[r.timezone, r.day.isoformat(), _sqlite_instant(r.starts_at), _sqlite_instant(r.ends_at)] for r in rows]
        )
        each = func.json_each(bindparam(f"{name}_json", data, type_=String())).table_valued("value")
        return select(
            type_coerce(func.json_extract(each.c.value, "$[0]"), String()).label("timezone"),
            type_coerce(func.json_extract(each.c.value, "$[1]"), Date()).label("day"),
            type_coerce(func.json_extract(each.c.value, "$[2]"), UTCDateTime()).label("starts_at"),
            type_coerce(func.json_extract(each.c.value, "$[3]"), UTCDateTime()).label("ends_at"),
        ).cte(name)
    raise ValueError(f"unsupported dialect: {dialect}")


def _sqlite_instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def utc_range(rows: list[DayBucket]) -> tuple[datetime, datetime]:
    """The earliest bucket start and the latest bucket end."""
    return min(r.starts_at for r in rows), max(r.ends_at for r in rows)


__all__ = [
    "DayBucket",
    "day_bucket_rows",
    "day_buckets",
    "exact_sum_hundredths",
    "from_hundredths",
    "greatest",
    "is_known_zone",
    "least",
    "local_date",
    "local_midnight_utc",
    "seconds_between",
    "utc_range",
    "zone",
]
