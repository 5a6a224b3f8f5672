"""What the full stack costs over a bare endpoint: ``python -m bench.api_overhead`` (``make bench``).

On PostgreSQL (a database of its own on ``WORKTALLY_BENCH_POSTGRES_URL``, dropped at the end) it seeds
one workspace, a project and a token, then serves

- the real app (``worktally serve``: one uvicorn worker, the rate limiter on with a very high limit), and
- a bare ASGI callable (``bench.api_overhead:bare_app``: asyncpg directly, one query, ``json.dumps``)

each on its own loopback port, and measures with one load generator (``wrk`` when installed, else a small
keep-alive HTTP/1.1 client on asyncio) in the same run:

- ``GET /api/v2/workspaces`` (authenticated, paginated) and ``GET /api/v2/projects/{id}`` (a single-row
  read) through the full stack, and
- the same single-row project query through the bare endpoint,
- and both full-stack reads again on a second app with Python's collector untuned (``WORKTALLY_GC_TUNED=false``):
  the measurement that keeps ``worktally/ops/collector.py``.

It prints the throughputs, full/bare ratios and tuned/untuned ratios; the aim is a full stack at ≥ 40 % of bare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"
AIM = 0.40

# --------------------------------------------------------------------------------------------------
# The bare endpoint: what the same read costs with nothing but asyncpg and json.dumps.
# --------------------------------------------------------------------------------------------------

_BARE_QUERY = (
    "SELECT id, workspace_id, name, is_billable, currency, status, created_at FROM projects"
    " WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL"
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A raw ASGI callable: ``GET /projects/{id}?workspace_id=N`` → one row as JSON, nothing else."""
    import asyncpg

    if scope["type"] == "lifespan":
        state = scope["state"]
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                state["pool"] = await asyncpg.create_pool(os.environ["BENCH_BARE_DSN"], min_size=1, max_size=10)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await state["pool"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    project_id = int(scope["path"].rsplit("/", 1)[-1])
    workspace_id = int(scope["query_string"].decode().partition("workspace_id=")[2].split("&")[0])
    row = await scope["state"]["pool"].fetchrow(_BARE_QUERY, project_id, workspace_id)
    data = {**dict(row), "created_at": row["created_at"].isoformat()} if row else None
    body = json.dumps({"success": True, "data": data}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200 if row else 404,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------------------------------
# Database, seed data and servers.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    token: str
    workspace_id: int
    project_id: int


@contextmanager
def bench_database(server_url: str, label: str = "") -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"wt_bench_{label}{os.getpid()}_{int(time.time())}"  # ``label``: several at once in one process
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(database_url: str) -> Seeded:
    from worktally.auth.tokens import create_personal_token
    from worktally.db.models import Project
    from worktally.db.session import create_engine_for, create_sessionmaker
    from worktally.workspace.bootstrap import bootstrap

    engine = create_engine_for(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            done = await bootstrap(
                session,
                email="bench@example.test",
                password="bench-password",
                firstname="Bench",
                lastname="Mark",
                workspace_name="Bench",
            )
            project = Project(workspace_id=done.workspace_id, name="Benchmarked project", currency="USD")
            session.add(project)
            await session.flush()
            issued = await create_personal_token(session, user_id=done.user_id, name="bench")
            return Seeded(token=issued.token, workspace_id=done.workspace_id, project_id=project.id)
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(
    command: list[str], env: dict[str, str], probe_url: str, log: Path, timeout: float = 240
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process in its own process group, up when ``probe_url`` answers; stopped on exit."""
    import httpx

    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[2]} exited early:\n{log.read_text(errors='replace')}")
            try:
                httpx.get(probe_url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from {probe_url} in {timeout}s") from None
                time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --------------------------------------------------------------------------------------------------
# Load generation.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    label: str
    requests: int
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(label: str, url: str, headers: dict[str, str], connections: int, seconds: float) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    elapsed = re.search(r"requests in ([\d.]+)(ms|s|m)", output)
    assert elapsed is not None, output
    unit = {"ms": 0.001, "s": 1.0, "m": 60.0}[elapsed.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return Result(label, requests, float(elapsed.group(1)) * unit, errors)


async def _keep_alive_client(host: str, port: int, request: bytes, stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            counts[0 if status_line.split()[1:2] == [b"200"] else 1] += 1
    finally:
        writer.close()


def run_asyncio(label: str, url: str, headers: dict[str, str], connections: int, seconds: float) -> Result:
    """The fallback load generator: ``connections`` keep-alive HTTP/1.1 connections for ``seconds``."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    counts = [0, 0]

    async def main() -> float:
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(
            *(
                _keep_alive_client(parts.hostname or "127.0.0.1", parts.port or 80, request, stop_at, counts)
                for _ in range(connections)
            )
        )
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    return Result(label, counts[0] + counts[1], elapsed, counts[1])


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per target")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds the seconds are split into")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per target first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    args = parser.parse_args()

    pg_server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER)
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
    load = run_wrk if use_wrk else run_asyncio
    print(f"load generator: {'wrk' if use_wrk else 'asyncio keep-alive client'}, {args.connections} connections")

    with tempfile.TemporaryDirectory(prefix="wt-bench-") as tmp, bench_database(pg_server) as database_url:
        from worktally.db.migrate import upgrade

        upgrade(database_url)
        seeded = asyncio.run(seed(database_url))
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("WORKTALLY_")}
        app_port, untuned_port, bare_port = free_port(), free_port(), free_port()
        app_env = {
            **base_env,
            "WORKTALLY_DATABASE_URL": database_url,
            "WORKTALLY_RATE_LIMIT_PER_MINUTE": str(10**9),  # the limiter runs, but never refuses
            "WORKTALLY_SECRET_KEY": "bench",
            "WORKTALLY_LOG_LEVEL": "WARNING",
            "WORKTALLY_WEBHOOKS_INPROCESS_WORKER": "false",
        }
        # The same app with Python's collector as it comes: the measurement that keeps ops/collector.py.
        untuned_env = {**app_env, "WORKTALLY_GC_TUNED": "false"}
        bare_env = {**base_env, "BENCH_BARE_DSN": database_url}
        app_cmd = [sys.executable, "-m", "worktally.cli", "serve", "--port", str(app_port), "--workers", "1"]
        untuned_cmd = [sys.executable, "-m", "worktally.cli", "serve", "--port", str(untuned_port), "--workers", "1"]
        bare_cmd = [
            *(sys.executable, "-m", "uvicorn", "bench.api_overhead:bare_app"),
            *("--host", "127.0.0.1", "--port", str(bare_port), "--workers", "1"),
            *("--no-access-log", "--log-level", "warning", "--lifespan", "on"),
        ]
        auth = {"Authorization": f"Bearer {seeded.token}"}
        api = f"http://127.0.0.1:{app_port}/api/v2"
        untuned_api = f"http://127.0.0.1:{untuned_port}/api/v2"
        project = f"projects/{seeded.project_id}?workspace_id={seeded.workspace_id}"
        targets = [
            ("full stack: GET /workspaces", f"{api}/workspaces", auth),
            ("full stack: GET /projects/{id}", f"{api}/{project}", auth),
            ("collector untuned: GET /workspaces", f"{untuned_api}/workspaces", auth),
            ("collector untuned: GET /projects/{id}", f"{untuned_api}/{project}", auth),
            (
                "bare ASGI + asyncpg: same row",
                f"http://127.0.0.1:{bare_port}/projects/{seeded.project_id}?workspace_id={seeded.workspace_id}",
                {},
            ),
        ]
        with (
            server(app_cmd, app_env, f"{api}/openapi.json", Path(tmp, "app.log")),
            server(untuned_cmd, untuned_env, f"{untuned_api}/openapi.json", Path(tmp, "untuned.log")),
            server(bare_cmd, bare_env, targets[-1][1], Path(tmp, "bare.log")),
        ):
            for label, url, headers in targets:
                load(label, url, headers, args.connections, args.warmup)
            # Interleaved rounds: a burst of other work on the machine then weighs on every target alike.
            rounds: list[list[Result]] = [[] for _ in targets]
            for _ in range(args.rounds):
                for measured, (label, url, headers) in zip(rounds, targets, strict=True):
                    measured.append(load(label, url, headers, args.connections, args.seconds / args.rounds))
            results = [
                Result(
                    r[0].label,
                    sum(x.requests for x in r),
                    sum(x.seconds for x in r),
                    sum(x.errors for x in r),
                )
                for r in rounds
            ]

    width = max(len(r.label) for r in results)
    bare = results[-1]
    print()
    for r in results:
        ratio = f"{r.rps / bare.rps:6.1%} of bare" if r is not bare and bare.rps else ""
        print(f"{r.label:<{width}}  {r.rps:9.1f} req/s  ({r.requests} in {r.seconds:.1f}s, {r.errors} errors)  {ratio}")
    worst = min(r.rps for r in results[:2]) / bare.rps if bare.rps else 0.0
    print(f"\nfull stack / bare (worst of the two): {worst:.1%} (aim ≥ {AIM:.0%})")
    for tuned, untuned in zip(results[:2], results[2:4], strict=True):
        gain = tuned.rps / untuned.rps if untuned.rps else 0.0
        print(f"collector tuned / untuned, {tuned.label.split(': ')[1]}: {gain:.2f}x (ops/collector.py)")
    if any(r.errors for r in results):
        print("error: some requests failed (non-2xx or socket errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
