"""Report timings through the API against the same aggregate as bare SQL, on PostgreSQL.

    python -m bench.reports            (make bench-reports)
    python -m bench.reports --database wt_bench_dev --one-year     (iterate: generated once, then reused)

Creates its own database on ``WORKTALLY_BENCH_POSTGRES_URL`` (default ``postgresql://root@127.0.0.1:5432/test``),
loads a workspace with ``bench.generate`` (500 members, one year of entries), times every report through the
app in process (httpx ASGI transport: routing, auth, validation, SQL, JSON), and times the tracked-hours
aggregate written by hand as plain SQL (psycopg) on the same database in the same run. For every report it also
records the statements one request sends to PostgreSQL (``capture_statements``) and times them replayed bare, in
order, in one transaction on a plain asyncpg connection (``replay``). Then it adds two more years before the
first and times again: a month's report should cost about the same with 1 or 3 years stored, as the queries read
only the rows in range. Prints medians and ratios;
drops the database at the end (``--keep`` keeps it; ``--database NAME`` uses that database and always keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import functools
import os
import re
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bench.generate import Generated, conninfo, extend_back, generate, load
from worktally.config import Settings
from worktally.db.migrate import upgrade
from worktally.main import create_app
from worktally.report import queries

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"
console = Console(stderr=True)

# The tracked-hours aggregate as one would write it by hand for PostgreSQL: each entry's local start and end
# day with AT TIME ZONE (read once: OFFSET 0 keeps the subquery from being inlined into every use), an entry within
# one local day counted whole, one across local midnights joined to the local days it overlaps (from
# generate_series) and clipped with GREATEST/LEAST, seconds as a double (date_part) rather than a numeric (EXTRACT);
# then names, billable flag and rate joined on, in report order.
# Same rows and sums as the API's statement (``run_cases`` checks the total); run with the API's work_mem.
BARE_TRACKED_HOURS = """
WITH e AS (
    SELECT te.user_id, te.project_id, te.contract_id, te.started_at, te.ended_at, m.tz,
           (te.started_at AT TIME ZONE m.tz)::date AS start_day, (te.ended_at AT TIME ZONE m.tz)::date AS end_day
    FROM time_entries te
    JOIN (SELECT user_id, coalesce(timezone, %(wtz)s) AS tz FROM memberships WHERE workspace_id = %(ws)s) m
        ON m.user_id = te.user_id
    WHERE te.workspace_id = %(ws)s AND te.started_at >= %(low)s::timestamptz - interval '7 days'
      AND te.started_at < %(high)s AND te.ended_at > %(low)s {user_filter}
    OFFSET 0
), days AS (
    SELECT z.tz, %(start)s::date + i AS day,
           ((%(start)s::date + i)::timestamp AT TIME ZONE z.tz) AS starts_at,
           ((%(start)s::date + i + 1)::timestamp AT TIME ZONE z.tz) AS ends_at
    FROM (SELECT DISTINCT coalesce(timezone, %(wtz)s) AS tz FROM memberships WHERE workspace_id = %(ws)s) z,
         generate_series(0, %(end)s::date - %(start)s::date) i
), g AS (
    SELECT coalesce(days.day, e.start_day) AS day, e.user_id, e.project_id, e.contract_id,
           sum(floor(date_part('epoch', least(e.ended_at, coalesce(days.ends_at, e.ended_at))
                                        - greatest(e.started_at, coalesce(days.starts_at, e.started_at))) + 0.5))::bigint
               AS seconds
    FROM e LEFT JOIN days ON days.tz = CASE WHEN e.end_day > e.start_day THEN e.tz END
        AND days.day BETWEEN e.start_day AND e.end_day AND days.starts_at < e.ended_at
    WHERE days.day IS NOT NULL OR (e.end_day = e.start_day AND e.start_day BETWEEN %(start)s AND %(end)s)
    GROUP BY 1, 2, 3, 4
)
SELECT g.*, u.firstname, u.lastname, p.name, p.is_billable, c.rate, c.currency
FROM g JOIN users u ON u.id = g.user_id
LEFT JOIN projects p ON p.id = g.project_id
LEFT JOIN contracts c ON c.id = g.contract_id
ORDER BY g.day, u.firstname, u.lastname, g.user_id, p.name, g.project_id, g.contract_id
"""


@dataclass
class Result:
    name: str
    api_ms: float
    sql_ms: float | None  # the aggregate written by hand
    same_ms: float | None = None  # the statements one request sends, replayed bare
    statements: int = 0  # how many


# Transaction control is the replay's own (one transaction around the whole sequence), so not replayed.
_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b", re.I)
# Set while asyncpg introspects a type for itself: what it sends then is not the app's.
_INTERNAL: contextvars.ContextVar[bool] = contextvars.ContextVar("bench_capture_internal", default=False)


@dataclass
class Statement:
    """One statement as the app sent it to PostgreSQL."""

    query: str
    args: Any  # the bind arguments as given to asyncpg (a list of tuples for ``many``)
    kind: str  # "fetch" (all rows), "fetchrow" (row limit 1), "many" (executemany), "simple" (simple query)
    rows: int | None = None  # rows the app received (None: not known, e.g. through a cursor)


class _RecordingProtocol:
    """Stands in for an ``asyncpg.Connection``'s protocol while recording: notes every statement, passes all on."""

    __slots__ = ("_log", "_protocol")

    def __init__(self, protocol: Any, log: list[Statement]) -> None:
        self._protocol = protocol
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._protocol, name)

    def _note(self, statement: Statement) -> Statement | None:
        if _INTERNAL.get():
            return None
        if statement.kind == "simple" and _TRANSACTION_CONTROL.match(statement.query):
            return None
        self._log.append(statement)
        return statement

    # The parameters are asyncpg's protocol's, by name (``Connection`` passes them as keywords).

    async def query(self, query: str, timeout: Any) -> Any:  # noqa: ASYNC109  (Connection.execute, no arguments)
        self._note(Statement(query, (), "simple"))
        return await self._protocol.query(query, timeout)

    async def bind_execute(
        self,
        state: Any,
        args: Any,
        portal_name: str,
        limit: int,
        return_extra: bool,
        timeout: Any,  # noqa: ASYNC109
    ) -> Any:  # Connection.fetch/fetchrow/fetchval/execute(args), PreparedStatement.fetch*, cursors
        cursor = portal_name != ""
        kind = "fetchrow" if limit == 1 and not cursor else "fetch"
        noted = self._note(Statement(state.query, tuple(args), kind))
        result = await self._protocol.bind_execute(state, args, portal_name, limit, return_extra, timeout)
        if noted is not None and not cursor:
            noted.rows = len(result[0] if return_extra else result)
        return result

    async def bind_execute_many(
        self,
        state: Any,
        args: Any,
        portal_name: str,
        timeout: Any,  # noqa: ASYNC109
        return_rows: bool,
    ) -> Any:
        args = [tuple(one) for one in args]  # executemany, fetchmany
        self._note(Statement(state.query, args, "many"))
        return await self._protocol.bind_execute_many(state, args, portal_name, timeout, return_rows)

    async def bind(self, state: Any, args: Any, portal_name: str, timeout: Any) -> Any:  # noqa: ASYNC109  (cursor)
        self._note(Statement(state.query, tuple(args), "fetch"))
        return await self._protocol.bind(state, args, portal_name, timeout)

    async def copy_out(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("COPY is not recorded: the replay could not repeat it")

    copy_in = copy_out


def _internal(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Type introspection asyncpg runs for itself (a type seen the first time): not the app's statement."""

    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _INTERNAL.set(True)
        try:
            return await method(*args, **kwargs)
        finally:
            _INTERNAL.reset(token)

    return wrapper


@contextlib.contextmanager
def capture_statements() -> Iterator[list[Statement]]:
    """Record every statement the process sends to PostgreSQL through asyncpg, with its arguments, in order.

    Every path in asyncpg that sends a statement ends at the connection's protocol (``Connection._protocol``:
    ``query`` for a simple query, ``bind_execute`` / ``bind_execute_many`` / ``bind`` for prepared statements,
    whether through ``Connection.fetch*``/``execute``/``executemany``, a ``PreparedStatement`` — SQLAlchemy's
    asyncpg adapter — or a cursor). The protocol is a compiled class, so the connection's ``_protocol`` slot is
    replaced for the duration by a descriptor that hands out a recording stand-in. Left out: transaction control
    (BEGIN, COMMIT, ROLLBACK, savepoints) and asyncpg's own type introspection; ``prepare`` (parse and describe)
    runs no statement.
    """
    connection_class = asyncpg.Connection
    slot = connection_class.__dict__["_protocol"]
    introspection = {name: connection_class.__dict__[name] for name in ("_introspect_types", "_introspect_type")}
    log: list[Statement] = []

    class Tap:
        def __get__(self, connection: Any, owner: Any = None) -> Any:
            if connection is None:
                return self
            protocol = slot.__get__(connection, owner)
            return protocol if protocol is None else _RecordingProtocol(protocol, log)

        def __set__(self, connection: Any, value: Any) -> None:
            slot.__set__(connection, value)

        def __delete__(self, connection: Any) -> None:
            slot.__delete__(connection)

    connection_class._protocol = Tap()
    for name, method in introspection.items():
        setattr(connection_class, name, _internal(method))
    try:
        yield log
    finally:
        connection_class._protocol = slot
        for name, method in introspection.items():
            setattr(connection_class, name, method)


@contextlib.asynccontextmanager
async def bare_connection(url: str) -> AsyncIterator[Any]:
    """A plain asyncpg connection to the database, as the app's read pool opens them."""
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        yield connection
    finally:
        await connection.close()


async def replay(connection: Any, statements: list[Statement]) -> list[int | None]:
    """Run ``statements`` in order in one transaction (rolled back: nothing a request wrote stays), every row
    fetched; returns the rows each gave."""
    rows: list[int | None] = []
    transaction = connection.transaction()
    await transaction.start()
    try:
        for statement in statements:
            if statement.kind == "simple":
                await connection.execute(statement.query)
                rows.append(None)
            elif statement.kind == "many":
                await connection.executemany(statement.query, statement.args)
                rows.append(None)
            elif statement.kind == "fetchrow":
                rows.append(int(await connection.fetchrow(statement.query, *statement.args) is not None))
            else:
                rows.append(len(await connection.fetch(statement.query, *statement.args)))
    finally:
        await transaction.rollback()
    return rows


async def time_replay(connection: Any, statements: list[Statement], runs: int, name: str) -> list[float]:
    """``replay`` timed as a whole, ``runs`` times after 2 warm-ups; warns if the rows differ from the app's."""
    replayed = await replay(connection, statements)
    for statement, count in zip(statements, replayed, strict=True):
        if statement.rows is not None and count is not None and statement.rows != count:
            console.print(
                f"  [red]{name}: replay gave {count} rows, the app {statement.rows}:[/] {statement.query[:200]}"
            )
    return await time_async(lambda: replay(connection, statements), runs, warmup=1)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def time_async(call: Callable[[], Awaitable[Any]], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def time_sql(conn: psycopg.Connection, sql: str, params: dict[str, Any], runs: int, warmup: int = 2) -> list[float]:
    samples = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(sql, params)  # type: ignore[arg-type]
            cur.fetchall()
        if index >= warmup:
            samples.append(time.perf_counter() - started)
    return samples


def bare_minutes(conn: psycopg.Connection, sql: str, params: dict[str, Any]) -> int:
    with conn.cursor() as cur:
        cur.execute(sql, params)  # type: ignore[arg-type]
        return sum((int(row[4]) + 30) // 60 for row in cur.fetchall())


async def run_cases(url: str, data: Generated, runs: int, label: str, show_statements: bool = False) -> list[Result]:
    month_end = data.last_day
    month_start = month_end - timedelta(days=30)
    day = month_end - timedelta(days=(month_end.weekday() - 2) % 7)  # a recent Wednesday
    member = data.member_ids[len(data.member_ids) // 3]
    settings = Settings(
        database_url=url,
        rate_limit_per_minute=10**9,
        secret_key="bench",
        webhooks_inprocess_worker=False,
        db_pool_size=4,
    )
    app = create_app(settings)
    month = {"start_date": month_start.isoformat(), "end_date": month_end.isoformat()}
    results: list[Result] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {data.token}"}
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client,
            bare_connection(url) as bare,
        ):

            def get(path: str, **params: Any) -> Callable[[], Awaitable[Any]]:
                query = {"workspace_id": data.workspace_id, **params}

                async def call() -> httpx.Response:
                    response = await client.get(f"/api/v2{path}", params=query)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                    return response

                return call

            sql_params = {
                "ws": data.workspace_id,
                "wtz": "Europe/Berlin",
                "start": month_start,
                "end": month_end,
                "low": f"{month_start - timedelta(days=1)} 00:00+00",
                "high": f"{month_end + timedelta(days=2)} 00:00+00",
            }
            with psycopg.connect(conninfo(url)) as conn:
                conn.execute(f"SET work_mem = '{queries.REPORT_WORK_MEM}'")  # as the API's report transactions
                all_sql = BARE_TRACKED_HOURS.format(user_filter="")
                one_sql = BARE_TRACKED_HOURS.format(user_filter="AND te.user_id = %(uid)s")
                cases: list[tuple[str, Callable[[], Awaitable[Any]], str | None, dict[str, Any]]] = [
                    ("tracked-hours, month, all members", get("/reports/tracked-hours", **month), all_sql, sql_params),
                    (
                        "tracked-hours, month, one member",
                        get("/reports/tracked-hours", user_id=member, **month),
                        one_sql,
                        {**sql_params, "uid": member},
                    ),
                    ("task-report, month, 100 members", get("/reports/task-report", per_page=100, **month), None, {}),
                    (
                        "activity-level, month, 100 members",
                        get("/reports/activity-level", per_page=100, **month),
                        None,
                        {},
                    ),
                    (
                        "activity-descriptions, month, 100",
                        get("/reports/activity-descriptions", per_page=100, **month),
                        None,
                        {},
                    ),
                    (
                        "daily-timeline, day, 100 members",
                        get("/reports/daily-timeline", date=day, per_page=100),
                        None,
                        {},
                    ),
                    (
                        "daily-attendance, day, 100 members",
                        get("/reports/daily-attendance", date=day, per_page=100),
                        None,
                        {},
                    ),
                    ("tracked-hours, month, CSV", get("/reports/tracked-hours", format="csv", **month), None, {}),
                ]
                api_total = (await get("/reports/tracked-hours", **month)()).json()["data"]["total"]["total_minutes"]
                sql_total = bare_minutes(conn, all_sql, sql_params)
                console.print(f"[{label}] month total minutes: API {api_total}, bare SQL {sql_total}")
                for name, call, sql, params in cases:
                    api = median_ms(await time_async(call, runs))
                    hand = median_ms(time_sql(conn, sql, params, runs)) if sql else None
                    with capture_statements() as statements:  # one more call, its caches warm
                        await call()
                    own = median_ms(await time_replay(bare, statements, runs, name))
                    results.append(Result(name, api, hand, own, len(statements)))
                    console.print(
                        f"  {name}: API {api:.1f} ms"
                        + (f", hand-written SQL {hand:.1f} ms" if hand else "")
                        + f", its {len(statements)} statements bare {own:.1f} ms"
                    )
                    if show_statements:
                        for statement in statements:
                            args = repr(statement.args)
                            console.print(
                                f"    {statement.kind} rows={statement.rows} args={args[:120]}"
                                f"\n      {' '.join(statement.query.split())[:300]}",
                                markup=False,
                                highlight=False,
                            )
    return results


def entries_in_month(url: str, data: Generated) -> int:
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM time_entries WHERE started_at >= %s",
            (f"{data.last_day - timedelta(days=30)} 00:00+00",),
        )
        return int(cur.fetchone()[0])  # type: ignore[index]


def report(phases: dict[str, tuple[list[Result], int]], month_rows: int) -> None:
    """``phases``: "1y" / "3y" → (results, entries stored)."""
    table = Table(
        title="Report medians (ms). SQL = the tracked-hours aggregate by hand; stmt = the statements one request "
        "sends, replayed bare (n: how many); ratios = API / that"
    )
    table.add_column("report")
    for years in phases:
        for column in ("API", "SQL", "API/SQL", "stmt", "API/stmt", "n"):
            table.add_column(f"{column} {years}", justify="right")
    names = [r.name for r in next(iter(phases.values()))[0]]
    for index, name in enumerate(names):
        cells = [name]
        for results, _ in phases.values():
            r = results[index]
            cells += [
                f"{r.api_ms:.1f}",
                f"{r.sql_ms:.1f}" if r.sql_ms else "-",
                f"{r.api_ms / r.sql_ms:.2f}" if r.sql_ms else "-",
                f"{r.same_ms:.1f}" if r.same_ms else "-",
                f"{r.api_ms / r.same_ms:.2f}" if r.same_ms else "-",
                str(r.statements),
            ]
        table.add_row(*cells)
    out = Console(width=200)
    out.print(table)
    stored = ", ".join(f"{entries:,} ({years})" for years, (_, entries) in phases.items())
    out.print(f"entries stored: {stored}; entries in the month: {month_rows:,}")


def _database(server: str, name: str | None) -> tuple[str, bool]:
    """The database's URL and whether it was there already (created and migrated here if not)."""
    admin = conninfo(server)
    name = name or f"wt_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        existed = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if not existed:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    if not existed:
        upgrade(url)
    return url, existed


async def _measure(url: str, existed: bool, args: argparse.Namespace) -> None:
    """Every phase in one event loop (the app's pools belong to the loop that made them); loading runs in a thread."""
    data = await asyncio.to_thread(load, url) if existed else None
    if data is None:
        last_day = date.today() - timedelta(days=1)
        data = await asyncio.to_thread(generate, url, years=1, members=args.members, last_day=last_day)
    else:
        console.print(f"reusing {data.entries:,} entries, {data.first_day} → {data.last_day}")
    month_rows = entries_in_month(url, data)
    phases: dict[str, tuple[list[Result], int]] = {}
    if (data.last_day - data.first_day).days < 2 * 365:
        phases["1y"] = (await run_cases(url, data, args.runs, "1 year", args.statements), data.entries)
        if not args.one_year:
            await asyncio.to_thread(extend_back, url, data, years=2)
    else:
        console.print("the database holds three years already: measuring with three years only")
    if not args.one_year:
        phases["3y"] = (await run_cases(url, data, args.runs, "3 years", args.statements), data.entries)
    report(phases, month_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="use this database and keep it: generated the first time, reused as it is afterwards",
    )
    parser.add_argument(
        "--one-year", action="store_true", help="measure with one year stored only (do not add the two years before)"
    )
    parser.add_argument(
        "--statements", action="store_true", help="print the statements recorded for each report (for the stmt column)"
    )
    args = parser.parse_args()
    server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER)
    url, existed = _database(server, args.database)
    keep = args.keep or args.database is not None
    try:
        asyncio.run(_measure(url, existed, args))
    finally:
        if keep:
            console.print(f"kept {url}")
        else:
            with psycopg.connect(conninfo(server), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
