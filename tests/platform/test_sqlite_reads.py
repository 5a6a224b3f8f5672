"""Issue #14: on SQLite a request that only reads never takes the write lock (db/session.py: reads_deferred),
so it answers while another connection writes; a read that turns out to write and meets another writer's
commit runs again with the lock up front (api/deps.py: TransactionalRoute), and answers as if alone.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from tests.conftest import make_settings
from tests.factories import Tenants
from worktally.db.migrate import upgrade
from worktally.main import create_app


@pytest.fixture(scope="module")
async def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """An app on a SQLite file of its own, in the PostgreSQL pass too: these tests are about SQLite's locks."""
    path = tmp_path_factory.mktemp("sqlite-reads") / "reads.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    application = create_app(make_settings(url))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def tenants(sqlite_app: Any) -> AsyncIterator[Tenants]:  # the conftest's, on this module's app
    transport = httpx.ASGITransport(app=sqlite_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Tenants(sqlite_app.state.sessionmaker, client)


@pytest.fixture
def app(sqlite_app: Any) -> Any:
    return sqlite_app


@pytest.fixture
def database(sqlite_app: Any) -> str:
    path: str = sqlite_app.state.engine.url.database
    return path


@contextmanager
def write_lock_held(path: str, workspace_id: int) -> Iterator[sqlite3.Connection]:
    """Another connection in the middle of a write: it holds SQLite's write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE workspaces SET name = 'Renamed meanwhile' WHERE id = ?", (workspace_id,))
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_read_answers_while_another_connection_holds_the_write_lock(tenants: Tenants, database: str) -> None:
    ws = await tenants.workspace()
    project = await ws.owner.api.post("/projects", json={"name": "Read while writing"})
    await ws.owner.api.get("/projects")  # the token's last use is written now, not during the lock

    with write_lock_held(database, ws.id):
        # Before: every transaction began with BEGIN IMMEDIATE and waited out the 30 s busy timeout here.
        listed = await asyncio.wait_for(ws.owner.api.get("/projects"), timeout=10)
        one = await asyncio.wait_for(ws.owner.api.get(f"/projects/{project.json()['data']['id']}"), timeout=10)

    assert listed.status_code == 200, listed.text
    assert [p["name"] for p in listed.json()["data"]] == ["Read while writing"]
    assert one.status_code == 200, one.text


async def test_a_read_that_writes_after_another_writer_committed_runs_again(
    tenants: Tenants, app: Any, database: str
) -> None:
    ws = await tenants.workspace()
    member = await ws.member()
    await ws.owner.api.get("/projects")  # the token's last use is written now
    inserts: list[str] = []

    def another_writer_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO timesheets"):
            inserts.append(statement)
            if len(inserts) == 1:  # between this request's reads and its first write, another writer commits
                other = sqlite3.connect(database, isolation_level=None, timeout=30)
                other.execute("BEGIN IMMEDIATE")
                other.execute("UPDATE workspaces SET name = 'Renamed meanwhile' WHERE id = ?", (ws.id,))
                other.execute("COMMIT")
                other.close()

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", another_writer_first)
    try:
        listed = await ws.owner.api.get("/timesheets", params={"user_id": member.user_id})
    finally:
        event.remove(engine, "before_cursor_execute", another_writer_first)

    assert listed.status_code == 200, listed.text
    assert len(inserts) == 2  # refused once (SQLITE_BUSY_SNAPSHOT), then run again with the lock up front
    assert [t["user_id"] for t in listed.json()["data"]] == [member.user_id]
    again = await ws.owner.api.get("/timesheets", params={"user_id": member.user_id})
    assert again.json()["data"] == listed.json()["data"]


def _counted(engine: Any) -> tuple[list[str], Any]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return statements, count


async def test_a_list_that_only_reads_runs_on_the_loop_reader_and_sees_the_last_commit(
    tenants: Tenants, app: Any
) -> None:
    """db/sqlite_access.py: the token, the member and the page of GET /time-entries, without aiosqlite."""
    ws = await tenants.workspace()
    day = "2026-10-21"
    params = {"user_id": ws.owner.user_id, "date": day}
    await ws.owner.api.get("/time-entries", params=params)  # the token's last use is written now
    reader, session_engine = app.state.sqlite.engine, app.state.engine.sync_engine
    on_reader, count_reader = _counted(reader)
    in_session, count_session = _counted(session_engine)
    try:
        empty = await ws.owner.api.get("/time-entries", params=params)
        read_by_the_empty_list = len(on_reader)
        created = await ws.owner.api.post(
            "/time-entries", json={"user_id": ws.owner.user_id, "date": day, "start_time": "09:00", "end_time": "10:00"}
        )
        before, read_before = len(in_session), len(on_reader)
        listed = await ws.owner.api.get("/time-entries", params=params)
    finally:
        event.remove(reader, "before_cursor_execute", count_reader)
        event.remove(session_engine, "before_cursor_execute", count_session)

    assert empty.status_code == 200, empty.text
    assert empty.json()["data"] == []
    assert created.status_code == 201, created.text
    assert [e["id"] for e in listed.json()["data"]] == [created.json()["data"]["id"]]
    assert listed.json()["meta"]["pagination"]["total"] == 1
    assert len(in_session) == before  # the list sent nothing through the session
    assert read_by_the_empty_list == 3  # the token with the membership, the member, the page
    assert len(on_reader) - read_before == 3


async def test_the_loop_reader_cannot_write(app: Any) -> None:
    with (
        pytest.raises(OperationalError, match=r"attempt to write a readonly database"),
        app.state.sqlite.engine.connect() as connection,
    ):
        connection.exec_driver_sql("UPDATE workspaces SET name = 'x'")


async def test_writers_of_one_process_take_turns_in_order(tenants: Tenants, app: Any) -> None:
    """db/sqlite_access.py: concurrent writes wait in one FIFO queue, so that no two write transactions of
    the process are open at once (none waits in SQLite's busy handler), and each is answered."""
    ws = await tenants.workspace()
    await ws.owner.api.get("/projects")  # the token's last use is written now
    writers = app.state.sqlite.writers
    open_at_once, most = 0, 0
    engine = app.state.engine.sync_engine

    def began(conn: Any) -> None:
        nonlocal open_at_once, most
        open_at_once += 1
        most = max(most, open_at_once)
        assert writers.locked()  # a write transaction only ever begins with the process's turn held

    def ended(conn: Any) -> None:
        nonlocal open_at_once
        open_at_once -= 1

    event.listen(engine, "begin", began)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    try:
        responses = await asyncio.gather(
            *(ws.owner.api.post("/projects", json={"name": f"Queued {n}"}) for n in range(12))
        )
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "commit", ended)
        event.remove(engine, "rollback", ended)

    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
    assert most == 1
    assert not writers.locked()
    listed = await ws.owner.api.get("/projects", params={"per_page": 50})
    assert sorted(p["name"] for p in listed.json()["data"]) == sorted(f"Queued {n}" for n in range(12))
