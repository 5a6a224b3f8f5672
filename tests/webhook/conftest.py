"""Webhook test helpers: a real HTTP receiver on loopback, and databases of their own for tests that
run a delivery worker (a worker delivers everything due, so it must not see other tests' deliveries).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.factories import Tenants
from worktally.config import Settings
from worktally.db.migrate import upgrade
from worktally.main import create_app


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | None = None  # the status the receiver answered (None: the client hung up first)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-body (a timeout or a killed worker): not a request at all.
            with receiver.lock:
                receiver.incomplete += 1
            return
        item = Received(headers={k.lower(): v for k, v in self.headers.items()}, body=body)
        with receiver.lock:
            receiver.received.append(item)
            mode = receiver.mode
        status = 200
        if mode == "error":
            status = 500
        elif mode == "hang":
            receiver.release.wait(receiver.hang_seconds)
            status = receiver.after_hang_status
        try:
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            item.answered = status
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many workers connect at once; the default backlog of 5 refuses some
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out and hang up are expected here


@dataclass
class Receiver:
    """A webhook target on 127.0.0.1. ``mode``: ``ok`` (200), ``error`` (500) or ``hang`` (waits for
    ``release`` or ``hang_seconds``, then answers ``after_hang_status``). ``down()`` closes the port."""

    port: int = 0
    mode: str = "ok"
    hang_seconds: float = 30.0
    after_hang_status: int = 200
    received: list[Received] = field(default_factory=list)
    incomplete: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.receiver = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def succeeded(self) -> list[Received]:
        return [r for r in self.snapshot() if r.answered is not None and 200 <= r.answered < 300]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    target = Receiver()
    target.up()
    yield target
    target.release.set()
    target.down()


async def wait_until(predicate: Any, *, seconds: float = 30.0, interval: float = 0.05) -> None:
    """Poll ``predicate`` (sync or async) until it is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {seconds} s")
        await asyncio.sleep(interval)


@dataclass
class Isolated:
    """A fresh, migrated database with an app, a client and tenants of its own."""

    url: str
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    tenants: Tenants


@dataclass
class _Template:
    """One migrated database per run, copied for each test that needs a database of its own."""

    server: str | None
    source: str  # a SQLite file path, or a PostgreSQL database name
    created: list[str] = field(default_factory=list)

    def copy(self) -> str:
        if self.server is None:
            directory = tempfile.mkdtemp(prefix="worktally-webhook-")
            target = f"{directory}/hooks.sqlite3"
            shutil.copyfile(self.source, target)
            return f"sqlite:///{target}"
        import psycopg

        name = f"wt_hook_{secrets.token_hex(6)}"
        conninfo = make_url(self.server).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}"')
        self.created.append(name)
        return make_url(self.server).set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        if self.server is not None:
            drop_postgres_database(self.server, name)


def postgres_server() -> str | None:
    server = os.environ.get("WORKTALLY_TEST_DATABASE_URL")
    return server if server and server.startswith("postgres") else None


@pytest.fixture(scope="session")
def database_template() -> Iterator[_Template]:
    server = postgres_server()
    if server is None:
        directory = tempfile.mkdtemp(prefix="worktally-webhook-template-")
        path = f"{directory}/template.sqlite3"
        upgrade(f"sqlite:///{path}")
        yield _Template(server=None, source=path)
        shutil.rmtree(directory, ignore_errors=True)
        return
    url, name = create_postgres_database(server, prefix="wt_hook_template")
    upgrade(url)
    template = _Template(server=server, source=name)
    yield template
    for created in template.created:
        drop_postgres_database(server, created)
    drop_postgres_database(server, name)


@pytest.fixture
async def isolated(database_template: _Template) -> AsyncIterator[Isolated]:
    url = database_template.copy()
    settings = make_settings(url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Isolated(
                url=url,
                settings=settings,
                engine=app.state.engine,
                sessionmaker=app.state.sessionmaker,
                tenants=Tenants(app.state.sessionmaker, client),
            )
    name = make_url(url).database
    assert name is not None
    if database_template.server is None:
        shutil.rmtree(os.path.dirname(name), ignore_errors=True)
    else:
        database_template.drop(name)
        database_template.created.remove(name)


__all__ = ["Isolated", "Received", "Receiver", "free_port", "wait_until"]
