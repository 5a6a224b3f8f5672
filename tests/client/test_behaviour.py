"""The client's behaviour against a live server (#18): page iterators, typed errors, retries on 429 that
honour the server's wait, and a write retried after a dropped connection that lands once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from worktally_client import (
    APIConnectionError,
    AsyncWorktally,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    UnprocessableEntityError,
    Worktally,
)

from tests.factories import Tenants
from tests.factories.structure import make_project
from tests.web.conftest import LiveServer


async def test_pages_are_walked_by_the_iterators(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    for n in range(5):
        await make_project(ws, name=f"P{n}")
    with Worktally(live_server.url, ws.owner.token, workspace_id=ws.id) as client:
        first = client.projects.list(per_page=2)
        assert len(first.data) == 2 and first.pagination is not None and first.pagination.total == 5
        assert [len(page.data) for page in first.iter_pages()] == [2, 2, 1]
        assert sorted(p.name for p in first) == [f"P{n}" for n in range(5)]
        last = client.projects.list(per_page=2, page=3)
        assert not last.has_next_page() and last.next_page() is None
    async with AsyncWorktally(live_server.url, ws.owner.token, workspace_id=ws.id) as aclient:
        page = await aclient.projects.list(per_page=2)
        assert sorted([p.name async for p in page]) == [f"P{n}" for n in range(5)]
        assert [len(p.data) async for p in page.iter_pages()] == [2, 2, 1]


async def test_the_changes_iterator_walks_the_feed_and_resumes(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    with Worktally(live_server.url, ws.owner.token, workspace_id=ws.id) as client:
        for n in range(3):
            client.projects.create(name=f"Feed {n}")
        seen = [c.data["name"] for c in client.changes(limit=2) if c.type == "project" and c.data]
        assert seen == ["Feed 0", "Feed 1", "Feed 2"]
        cursor = client.changes.cursor
        client.projects.create(name="Feed 3")
        assert [c.data["name"] for c in client.changes(cursor) if c.type == "project" and c.data] == ["Feed 3"]


async def test_errors_are_typed_and_carry_the_envelope(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    with (
        Worktally(live_server.url, "not-a-token", workspace_id=ws.id) as stranger,
        pytest.raises(AuthenticationError) as unauthenticated,
    ):
        stranger.projects.list()
    assert unauthenticated.value.status == 401 and unauthenticated.value.error == "unauthenticated"
    with Worktally(live_server.url, ws.owner.token, workspace_id=ws.id) as client:
        with pytest.raises(UnprocessableEntityError) as invalid:
            client.projects.create(name="")
        assert invalid.value.error == "validation_failed" and "name" in invalid.value.errors
        assert invalid.value.message
        with pytest.raises(NotFoundError) as missing:
            client.projects.get(999_999_999)
        assert missing.value.error == "project_not_found"
    other = await tenants.workspace()
    with Worktally(live_server.url, other.owner.token, workspace_id=other.id) as outsider:
        project = outsider.projects.create(name="Theirs")
    with Worktally(live_server.url, ws.owner.token, workspace_id=ws.id) as client, pytest.raises(NotFoundError):
        client.projects.get(project.id)  # another workspace's id is not found, never shown


async def test_429_is_waited_out_with_the_defaults(tenants: Tenants, limited_server: LiveServer) -> None:
    """3 requests a minute: the 4th call of each client gets a 429, waits for the window and succeeds."""
    ws = await tenants.workspace()
    one, two = await ws.member("Regular User"), await ws.member("Regular User")
    sync_results: list[int] = []

    def sync_calls() -> None:
        with Worktally(limited_server.url, one.token, workspace_id=ws.id) as client:
            sync_results.extend(len(client.workspaces.list().data) for _ in range(4))

    thread = threading.Thread(target=sync_calls)
    thread.start()
    async with AsyncWorktally(limited_server.url, two.token, workspace_id=ws.id) as aclient:
        async_results = [len((await aclient.workspaces.list()).data) for _ in range(4)]
    await asyncio.to_thread(thread.join)
    assert sync_results == async_results == [1, 1, 1, 1]
    # Without retries the same 4th call is refused, and the error says how long to wait.
    with Worktally(limited_server.url, one.token, workspace_id=ws.id, max_retries=0) as impatient:

        def use_up_the_window() -> None:
            for _ in range(4):
                impatient.workspaces.list()

        with pytest.raises(RateLimitError) as refused:
            use_up_the_window()
    assert refused.value.error == "rate_limited" and refused.value.retry_after is not None
    assert 0 < refused.value.retry_after <= 60


@asynccontextmanager
async def dropping_proxy(upstream: str, drops: int) -> AsyncIterator[str]:
    """A TCP proxy that forwards each request and reads the server's whole answer, but for the first
    ``drops`` requests closes the client's connection instead of passing the answer on."""
    host, port = upstream.removeprefix("http://").split(":")
    remaining = [drops]

    async def read_message(reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return head + (await reader.readexactly(length) if length else b"")

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await read_message(client_reader)
                up_reader, up_writer = await asyncio.open_connection(host, int(port))
                up_writer.write(request)
                await up_writer.drain()
                response = await read_message(up_reader)
                up_writer.close()
                if remaining[0] > 0:
                    remaining[0] -= 1
                    return  # the server did the work; the caller never hears of it
                client_writer.write(response)
                await client_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            client_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_a_write_retried_after_a_dropped_connection_lands_once(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    async with (
        dropping_proxy(live_server.url, drops=2) as url,
        AsyncWorktally(url, ws.owner.token, workspace_id=ws.id) as client,
    ):
        project = await client.projects.create(name="Exactly once")
    async with AsyncWorktally(live_server.url, ws.owner.token, workspace_id=ws.id) as direct:
        names = [p.name async for p in await direct.projects.list()]
        assert names == ["Exactly once"]
        assert (await direct.projects.get(project.id)).name == "Exactly once"
    # Without an Idempotency-Key a write is not retried: the caller learns the connection dropped.
    async with (
        dropping_proxy(live_server.url, drops=1) as url,
        AsyncWorktally(url, ws.owner.token, workspace_id=ws.id, idempotency_keys=False) as unkeyed,
    ):
        with pytest.raises(APIConnectionError):
            await unkeyed.projects.create(name="Maybe")
