from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import make_settings
from worktally.db.models import Project, WebhookEvent
from worktally.main import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def thread_server(database_url: str) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, in a thread with its own event loop and engine."""
    port = free_port()
    app = create_app(make_settings(database_url, db_pool_size=25))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def process_servers(database_url: str, count: int) -> Iterator[list[str]]:
    """``count`` ``worktally serve`` processes on loopback ports, sharing one database."""
    env = {
        **os.environ,
        "WORKTALLY_DATABASE_URL": database_url,
        "WORKTALLY_RATE_LIMIT_PER_MINUTE": "1000000",
        "WORKTALLY_SECRET_KEY": "test-secret-key",
        "WORKTALLY_WEBHOOKS_INPROCESS_WORKER": "false",
        "WORKTALLY_LOG_LEVEL": "WARNING",
    }
    processes: list[tuple[subprocess.Popen[bytes], object]] = []
    urls = []
    try:
        for _ in range(count):
            port = free_port()
            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
            command = [str(Path(sys.executable).with_name("worktally")), "serve", "--port", str(port)]
            processes.append((subprocess.Popen(command, env=env, stdout=log, stderr=log), log))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url + "/api/v2/workspaces", timeout=1)  # any answer: it is serving
                    break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.1)
        yield urls
    finally:
        for process, _log in processes:
            process.terminate()
        for process, log in processes:
            process.wait(timeout=30)
            log.close()  # type: ignore[attr-defined]


async def projects_named(sessionmaker: async_sessionmaker[AsyncSession], workspace_id: int, name: str) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Project).where(Project.workspace_id == workspace_id, Project.name == name)
        )
        return int(count or 0)


async def events_named(sessionmaker: async_sessionmaker[AsyncSession], workspace_id: int, type: str, name: str) -> int:
    async with sessionmaker() as session:
        payloads = await session.scalars(
            select(WebhookEvent.payload).where(WebhookEvent.workspace_id == workspace_id, WebhookEvent.type == type)
        )
        return sum(1 for p in payloads if p["data"].get("name") == name)
