"""Request bodies are capped (``WORKTALLY_MAX_BODY_BYTES``): over the cap, 413 before the body is read (issue 12).

In process on the app with a small cap (the API, the OAuth endpoints, the form pages; a declared length and a
chunked body), then a real ``worktally serve`` process given a 200 MB body: 413, and it does not grow.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Tenants
from tests.platform.conftest import _started, probe_app_for
from tests.platform.processes import Server, cli_env, run_cli, serving
from worktally.config import Settings

CAP = 4096


@pytest.fixture(scope="module")
async def capped_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncExitStack() as stack:
        app = probe_app_for(database_url, max_body_bytes=CAP)
        client = await _started(stack, app)
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def capped(capped_client: httpx.AsyncClient) -> Tenants:
    return Tenants(capped_client.app.state.sessionmaker, capped_client)  # type: ignore[attr-defined]


def thing(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes that the probe's ``POST /things`` accepts."""
    empty = json.dumps({"name": "n", "count": 1, "pad": ""}).encode()
    body = json.dumps({"name": "n", "count": 1, "pad": "x" * (size - len(empty))}).encode()
    assert len(body) == size
    return body


class Chunks:
    """A chunked request body that records how much of it was taken."""

    def __init__(self, total: int, chunk: int = 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        body = thing(self.total)
        for start in range(0, len(body), self.chunk):
            piece = body[start : start + self.chunk]
            self.sent += len(piece)
            yield piece


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "payload_too_large"
    assert str(CAP) in body["message"]
    assert response.headers["connection"] == "close"


class TestDeclaredLength:
    async def test_over_the_cap_is_413_in_the_envelope(self, capped: Tenants) -> None:
        ws = await capped.workspace()

        response = await ws.owner.api.post(
            "/_probe/things", content=thing(CAP + 1), headers={"Content-Type": "application/json"}
        )

        assert_too_large(response)

    async def test_at_the_cap_is_accepted(self, capped: Tenants) -> None:
        ws = await capped.workspace()

        response = await ws.owner.api.post(
            "/_probe/things", content=thing(CAP), headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 201, response.text
        assert response.json()["data"]["name"] == "n"

    async def test_the_body_is_never_received(self, capped_client: httpx.AsyncClient) -> None:
        app: Any = capped_client.app  # type: ignore[attr-defined]
        received: list[object] = []
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            received.append(True)
            return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v2/projects",
            "raw_path": b"/api/v2/projects",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"content-length", str(200 * 1024 * 1024).encode())],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)

        assert received == []
        assert sent[0]["status"] == 413
        assert json.loads(sent[1]["body"])["error"] == "payload_too_large"


class TestChunkedBody:
    async def test_over_the_cap_is_413_and_the_rest_is_not_read(self, capped: Tenants) -> None:
        ws = await capped.workspace()
        body = Chunks(total=CAP * 50)

        response = await ws.owner.api.post("/_probe/things", content=body, headers={"Content-Type": "application/json"})

        assert_too_large(response)
        assert body.sent <= CAP + body.chunk

    async def test_under_the_cap_reaches_the_handler_intact(self, capped: Tenants) -> None:
        ws = await capped.workspace()
        body = Chunks(total=CAP - 10, chunk=300)

        response = await ws.owner.api.post("/_probe/things", content=body, headers={"Content-Type": "application/json"})

        assert response.status_code == 201, response.text
        assert response.json()["data"] == {"name": "n", "count": 1}


class TestEveryDoor:
    async def test_the_oauth_token_endpoint_answers_in_rfc_6749_json(self, capped_client: httpx.AsyncClient) -> None:
        response = await capped_client.post(
            "https://testserver/oauth/token",
            content=b"grant_type=client_credentials&pad=" + b"x" * CAP,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

        assert response.status_code == 413
        assert response.json()["error"] == "invalid_request"
        assert str(CAP) in response.json()["error_description"]

    async def test_the_sign_in_form(self, capped_client: httpx.AsyncClient) -> None:
        response = await capped_client.post(
            "https://testserver/sign-in",
            content=b"email=a%40b.test&password=" + b"x" * CAP,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

        assert_too_large(response)

    async def test_a_small_request_still_works(self, capped: Tenants) -> None:
        ws = await capped.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "Small"})

        assert response.status_code == 201, response.text
        assert response.json()["data"]["name"] == "Small"

    def test_the_default_is_5_mib(self) -> None:
        assert Settings.model_fields["max_body_bytes"].default == 5 * 1024 * 1024


def peak_kib(pid: int) -> int:
    """The most memory ``pid`` (``serve`` with one worker serves in process) has ever held (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def raw_post(server: Server, path: str, headers: dict[str, str], body: Iterator[bytes]) -> bytes:
    """A POST over a plain socket: send what the server lets us send, then read its answer."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(head.encode() + b"\r\n")
        try:
            for piece in body:
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: exactly what a cap does
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("body-limit")
    env = cli_env(f"sqlite:///{home}/worktally.sqlite3")
    assert run_cli("migrate", env=env, cwd=home).returncode == 0
    with serving(env, home) as running:
        yield running


@pytest.mark.slow
class TestServer:
    def test_a_200_mb_body_is_refused_without_the_process_growing(self, server: Server) -> None:
        size = 200 * 1024 * 1024
        before = peak_kib(server.process.pid)

        def megabytes() -> Iterator[bytes]:
            yield b'{"name": "' + b"x" * (1024 * 1024 - 10)
            for _ in range(size // (1024 * 1024) - 1):
                yield b"x" * (1024 * 1024)

        answer = raw_post(
            server,
            "/api/v2/projects?workspace_id=1",
            {"Content-Type": "application/json", "Content-Length": str(size), "Authorization": "Bearer wtp_x"},
            megabytes(),
        )
        after = peak_kib(server.process.pid)

        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b'"error":"payload_too_large"' in answer
        assert after - before < 50 * 1024, (before, after)  # before the cap: a peak of +750 MB

    def test_a_declared_length_over_the_cap_is_answered_before_the_body_is_sent(self, server: Server) -> None:
        answer = raw_post(
            server,
            "/api/v2/projects",
            {"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)},
            iter(()),
        )

        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]

    def test_a_chunked_body_over_the_cap_is_refused(self, server: Server) -> None:
        def chunks() -> Iterator[bytes]:
            piece = b"x" * 65536
            for _ in range(200):  # 12.5 MiB
                yield b"%x\r\n%s\r\n" % (len(piece), piece)
            yield b"0\r\n\r\n"

        answer = raw_post(
            server,
            "/api/v2/projects",
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            chunks(),
        )

        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


async def test_every_api_operation_documents_the_413(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v2/openapi.json")).json()

    operations = [op for path, ops in document["paths"].items() if path.startswith("/api/v2") for op in ops.values()]

    assert operations
    assert all("413" in op["responses"] for op in operations)
