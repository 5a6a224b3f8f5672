"""The changes feed (D19) on a table of a million changes: a page of 100, through the app and as bare SQL.

Data (bulk ``INSERT ... SELECT generate_series``): one workspace with an Owner, a Project manager and a
Regular User on a shared project, and ``--changes`` (1,000,000) changes with their events spread over every
kind; a share of them (``--own-share``, 1 %) is the Regular User's own time, the rest the rest of the
workspace's. A second workspace holds ``--other`` (100,000) more, so the table is not one workspace's.

Measured, each the median of ``--runs`` after warm-ups, for a page of 100:
- **API**: ``GET /api/v2/changes?limit=100`` through the whole app in process (httpx ``ASGITransport``:
  routing, the token, the membership, the feed lock, the page query, visibility, Pydantic, JSON);
- **SQL**: the page's three statements (the lock, the page query, the horizon: the newest id and whether the
  caller's reach moved) replayed bare with asyncpg, as the app sends them.
Positions: from the start (no cursor), from the middle, and the tail (the last 100); as the Owner (no
visibility filter) and as the Regular User (who sees 1 % of the changes, the filter in SQL).

Usage: ``python -m bench.changes [--changes N] [--runs 15] [--keep]`` (``WORKTALLY_BENCH_POSTGRES_URL``, default
``postgresql://root@127.0.0.1:5432/test``; the database is made for the run and dropped after, unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.generate import conninfo
from worktally.auth.tokens import create_personal_token
from worktally.config import Settings
from worktally.db.migrate import upgrade
from worktally.db.models import Membership, Project
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.main import create_app
from worktally.workspace.bootstrap import create_user, create_workspace

KINDS = ("project", "task", "contract", "member", "team", "expense_category", "webhook", "leave_policy")
OWN_KINDS = ("time_entry", "time_request", "expense", "leave", "timesheet")


async def _people(url: str) -> dict[str, Any]:
    engine = create_engine_for(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            owner = await create_user(session, email="owner@bench.local", firstname="O", lastname="B", password=None)
            workspace = await create_workspace(session, owner=owner, name="Bench", timezone="UTC")
            other_owner = await create_user(
                session, email="other@bench.local", firstname="X", lastname="B", password=None
            )
            other = await create_workspace(session, owner=other_owner, name="Other", timezone="UTC")
            user = await create_user(session, email="user@bench.local", firstname="R", lastname="U", password=None)
            session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="Regular User", status="active"))
            project = Project(workspace_id=workspace.id, name="Shared")
            session.add(project)
            await session.flush()
            owner_token = (await create_personal_token(session, user_id=owner.id, name="bench")).token
            user_token = (await create_personal_token(session, user_id=user.id, name="bench")).token
            return {
                "workspace_id": workspace.id,
                "other_id": other.id,
                "owner_id": owner.id,
                "user_id": user.id,
                "project_id": project.id,
                "owner_token": owner_token,
                "user_token": user_token,
            }
    finally:
        await engine.dispose()


async def _reused(url: str) -> dict[str, Any]:
    """The people of a database kept by an earlier run (--keep), with new tokens."""
    engine = create_engine_for(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            rows = {
                email: user_id for email, user_id in (await session.execute(text("SELECT email, id FROM users"))).all()
            }
            workspace_id, other_id = (await session.execute(text("SELECT min(id), max(id) FROM workspaces"))).one()
            project_id = (await session.execute(text("SELECT min(id) FROM projects"))).scalar_one()
            owner_id, user_id = rows["owner@bench.local"], rows["user@bench.local"]
            return {
                "workspace_id": workspace_id,
                "other_id": other_id,
                "owner_id": owner_id,
                "user_id": user_id,
                "project_id": project_id,
                "owner_token": (await create_personal_token(session, user_id=owner_id, name="bench")).token,
                "user_token": (await create_personal_token(session, user_id=user_id, name="bench")).token,
            }
    finally:
        await engine.dispose()


def _fill(url: str, people: dict[str, Any], *, changes: int, other: int, own_share: float) -> float:
    """Bulk-load the events and changes; returns the seconds it took."""
    started = time.perf_counter()
    every = max(1, round(1 / own_share))
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
    own_kinds = "ARRAY[" + ",".join(f"'{k}'" for k in OWN_KINDS) + "]"
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        for workspace_id, count, prefix in ((people["workspace_id"], changes, "a"), (people["other_id"], other, "b")):
            conn.execute(
                f"""
                WITH g AS (
                    SELECT n,
                           CASE WHEN n % {every} = 0 THEN ({own_kinds})[1 + n % {len(OWN_KINDS)}]
                                ELSE ({kinds})[1 + n % {len(KINDS)}] END AS type,
                           CASE WHEN n % {every} = 0 THEN {people["user_id"]} ELSE {people["owner_id"]} END AS user_id,
                           now() - interval '20 days' + n * interval '1 millisecond' AS at
                    FROM generate_series(1, {count}) AS n
                ), e AS (
                    INSERT INTO webhook_events (id, workspace_id, type, payload, created_at)
                    SELECT '{prefix}' || n, {workspace_id}, type || '.updated',
                           json_build_object('id', '{prefix}' || n, 'type', type || '.updated',
                               'workspace_id', {workspace_id}, 'timestamp', at,
                               'data', json_build_object('id', n, 'user_id', user_id, 'project_id', {people["project_id"]},
                                   'name', 'Resource ' || n, 'notes', repeat('x', 120), 'status', 'active',
                                   'created_at', at, 'updated_at', at)),
                           at
                    FROM g
                    RETURNING 1
                )
                INSERT INTO changes (workspace_id, type, resource_id, op, user_id, project_id, event_id, changed_at)
                SELECT {workspace_id}, type, n::text, CASE WHEN n % 10 = 0 THEN 'delete' ELSE 'upsert' END,
                       user_id, {people["project_id"]}, '{prefix}' || n, at
                FROM g
                """
            )
        conn.execute("ANALYZE changes")
        conn.execute("ANALYZE webhook_events")
    return time.perf_counter() - started


async def _median(runs: int, call: Callable[[], Awaitable[Any]]) -> float:
    for _ in range(3):
        await call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def measure(url: str, people: dict[str, Any], runs: int) -> list[tuple[str, str, float, float, int]]:
    import asyncpg  # type: ignore[import-untyped]

    from worktally.change import cursor as cursors

    settings = Settings(
        database_url=url,
        rate_limit_per_minute=10**9,
        secret_key="bench",
        webhooks_inprocess_worker=False,
        gc_tuned=True,
    )
    app = create_app(settings)
    results = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            with psycopg.connect(conninfo(url)) as conn:
                ids = conn.execute(
                    "SELECT min(id), max(id), count(*) FROM changes WHERE workspace_id = %s", (people["workspace_id"],)
                ).fetchone()
                at = conn.execute("SELECT now()").fetchone()
            assert ids is not None and at is not None
            low, high, total = ids
            positions = {
                "start": None,
                "middle": cursors.encode((low + high) // 2, at[0], high),
                "tail": cursors.encode(high - 100, at[0], high),
            }
            captured: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
            # A reference on the same machine at the same time: a single-row read through the same stack.
            one = {"workspace_id": people["workspace_id"]}
            owner = {"Authorization": f"Bearer {people['owner_token']}"}

            async def project() -> None:
                response = await client.get(f"/api/v2/projects/{people['project_id']}", params=one, headers=owner)
                assert response.status_code == 200, response.text

            results.append(("Owner", "GET /projects/{id}", await _median(runs, project), float("nan"), 1))
            for role, token in (("Owner", people["owner_token"]), ("Regular User", people["user_token"])):
                for where, cursor in positions.items():
                    params: dict[str, Any] = {"workspace_id": people["workspace_id"], "limit": 100}
                    if cursor is not None:
                        params["cursor"] = cursor
                    headers = {"Authorization": f"Bearer {token}"}

                    async def call(params: dict[str, Any] = params, headers: dict[str, str] = headers) -> int:
                        response = await client.get("/api/v2/changes", params=params, headers=headers)
                        assert response.status_code == 200, response.text
                        return len(response.json()["data"])

                    items = await call()
                    api_ms = await _median(runs, call)
                    statements = await _capture(app, client, params, headers)
                    captured[f"{role} {where}"] = statements
                    sql_ms = await _bare(url, statements, runs, asyncpg)
                    results.append((role, where, api_ms, sql_ms, items))
            print(f"changes in the workspace: {total:,}")
    return results


async def _capture(app: Any, client: httpx.AsyncClient, params: dict[str, Any], headers: dict[str, str]) -> list[Any]:
    """The statements the page sends (the feed lock, the page query, the horizon), with their arguments."""
    from sqlalchemy import event
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    from worktally.change import repository

    engine = app.state.engine.sync_engine
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "pg_advisory_xact_lock" in statement or "ix_changes" in statement or "EXISTS" in statement:
            seen.append((statement, parameters))

    original = repository.fetch_all

    async def fetch_all(session: Any, statement: Any) -> Any:  # as db/prepared.py: fetch_all compiles it
        compiled = statement.compile(dialect=dialect(), compile_kwargs={"render_postcompile": True})
        seen.append((compiled.string, tuple(compiled.params[name] for name in compiled.positiontup or ())))
        return await original(session, statement)

    event.listen(engine, "before_cursor_execute", record)
    repository.fetch_all = fetch_all  # type: ignore[assignment]
    try:
        response = await client.get("/api/v2/changes", params=params, headers=headers)
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
        repository.fetch_all = original  # type: ignore[assignment]
    assert len(seen) == 3, seen
    return seen


async def _bare(url: str, statements: list[Any], runs: int, asyncpg: Any) -> float:
    connection = await asyncpg.connect(conninfo(url))
    try:

        async def call() -> None:
            async with connection.transaction():
                for sql, parameters in statements:
                    await connection.fetch(sql, *parameters)

        return await _median(runs, call)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=1_000_000)
    parser.add_argument("--other", type=int, default=100_000)
    parser.add_argument("--own-share", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", metavar="NAME", help="measure again on a database kept by --keep")
    args = parser.parse_args()
    server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
    name = args.reuse or f"wt_bench_changes_{secrets.token_hex(4)}"
    if not args.reuse:
        with psycopg.connect(conninfo(server), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        if args.reuse:
            people = asyncio.run(_reused(url))
        else:
            upgrade(url)
            people = asyncio.run(_people(url))
            seconds = _fill(url, people, changes=args.changes, other=args.other, own_share=args.own_share)
            print(f"loaded {args.changes + args.other:,} changes and events in {seconds:.1f} s into {name}")
        results = asyncio.run(measure(url, people, args.runs))
        print(f"{'caller':<14}{'position':<10}{'API ms':>9}{'SQL ms':>9}{'items':>7}")
        for role, where, api_ms, sql_ms, items in results:
            print(f"{role:<14}{where:<10}{api_ms:>9.2f}{sql_ms:>9.2f}{items:>7}")
    finally:
        if not (args.keep or args.reuse):
            with psycopg.connect(conninfo(server), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
