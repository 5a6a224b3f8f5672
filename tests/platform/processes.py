"""Run the real ``worktally`` executable: one-shot CLI commands and ``worktally serve`` processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

WORKTALLY = [sys.executable, "-m", "worktally.cli"]


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKTALLY_")}
    env.update(
        WORKTALLY_DATABASE_URL=database_url,
        WORKTALLY_SECRET_KEY="cli-test-secret",
        WORKTALLY_LOG_LEVEL="WARNING",
        WORKTALLY_WEBHOOKS_INPROCESS_WORKER="false",
    )
    env.update(extra)
    return env


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The one JSON object the command printed (D7: nothing else on stdout)."""
        lines = self.stdout.splitlines()
        assert len(lines) == 1, f"expected one line on stdout, got {self.stdout!r}"
        payload = json.loads(lines[0])
        assert isinstance(payload, dict)
        return payload


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> CliResult:
    done = subprocess.run(
        [*WORKTALLY, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_until_up(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"worktally serve exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/api/v2/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"worktally serve did not answer within {timeout}s:\n{server.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # The server leads its own process group (its workers included): end exactly that group.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _start(env: dict[str, str], cwd: Path, workers: int) -> Server:
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*WORKTALLY, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process=process, base_url=f"http://127.0.0.1:{port}", log=log)


@contextmanager
def serving_many(
    env: dict[str, str], cwd: Path, *, count: int, workers: int = 1, timeout: float = 240
) -> Iterator[list[Server]]:
    """``count`` ``worktally serve`` processes on free loopback ports, started together, all stopped on exit."""
    servers: list[Server] = []
    try:
        for _ in range(count):
            servers.append(_start(env, cwd, workers))
        for server in servers:
            _wait_until_up(server, timeout)
        yield servers
    finally:
        for server in servers:
            _stop(server.process)


@contextmanager
def serving(env: dict[str, str], cwd: Path, *, workers: int = 1, timeout: float = 240) -> Iterator[Server]:
    """``worktally serve`` on a free loopback port, stopped (with its workers) on exit."""
    with serving_many(env, cwd, count=1, workers=workers, timeout=timeout) as [server]:
        yield server
