"""D20 / #12: no token, code, secret, password or hash reaches a log line at any level; JSON logs with request ids."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from tests.auth.kit import exchange, obtain_code, pkce_pair, register_client, sign_in
from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.workspace import unique_email
from worktally.auth.tokens import create_personal_token
from worktally.core.logs import REDACTED, JsonFormatter, TextFormatter, redact
from worktally.db.models import User
from worktally.workspace.bootstrap import bootstrap

PASSWORD = "Correct-Horse-Battery-9137"


class Capture(logging.Handler):
    """Every record of every logger, rendered as the text and the JSON handler would render it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.text = TextFormatter()
        self.json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.text.format(record))
        self.lines.append(self.json.format(record))


@pytest.fixture
def captured() -> Iterator[Capture]:
    # SQLAlchemy holds its own loggers at WARNING unless told: tell them, statements and rows included.
    loggers = [logging.getLogger(name) for name in ("", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool")]
    previous = [logger.level for logger in loggers]
    handler = Capture()
    loggers[0].addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        loggers[0].removeHandler(handler)
        for logger, level in zip(loggers, previous, strict=True):
            logger.setLevel(level)


class TestNothingSecretIsLogged:
    async def test_oauth_grants_tokens_bootstrap_and_webhooks_at_debug(
        self, captured: Capture, tenants: Tenants, browser: httpx.AsyncClient, app: object
    ) -> None:
        secrets: dict[str, str] = {"password": PASSWORD}
        sessionmaker = tenants.sessionmaker
        email = unique_email("owner")
        async with sessionmaker() as session, session.begin():
            done = await bootstrap(
                session, email=email, password=PASSWORD, firstname="Lo", lastname="Gger", workspace_name="Logs"
            )
            issued = await create_personal_token(session, user_id=done.user_id, name="logged")
        secrets["personal token"] = issued.token
        async with sessionmaker() as session:
            password_hash = (await session.execute(select(User.password_hash).where(User.id == done.user_id))).scalar()
        assert password_hash and password_hash.startswith("$argon2")
        secrets["password hash"] = password_hash
        secrets["password hash digest"] = password_hash.rsplit("$", 1)[1]

        # Authorization code + PKCE, with the real sign-in form and its password.
        public = await register_client(sessionmaker, done.user_id)
        assert (await sign_in(browser, email, PASSWORD)).status_code in (302, 303)
        verifier, challenge = pkce_pair()
        code = await obtain_code(browser, public.client_id, challenge)
        pair = await exchange(browser, client_id=public.client_id, code=code, code_verifier=verifier)
        assert pair.status_code == 200, pair.text
        secrets |= {"code": code, "verifier": verifier}
        secrets |= {"access token": pair.json()["access_token"], "refresh token": pair.json()["refresh_token"]}
        # Refresh (rotation), then client credentials with a confidential client's secret.
        refreshed = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": pair.json()["refresh_token"],
                "client_id": public.client_id,
            },
        )
        assert refreshed.status_code == 200, refreshed.text
        secrets |= {
            "refreshed access": refreshed.json()["access_token"],
            "refreshed refresh": refreshed.json()["refresh_token"],
        }
        confidential = await register_client(sessionmaker, done.user_id, public=False)
        assert confidential.client_secret
        secrets["client secret"] = confidential.client_secret
        granted = await browser.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(confidential.client_id, confidential.client_secret),
        )
        assert granted.status_code == 200, granted.text
        secrets["client-credentials token"] = granted.json()["access_token"]
        # A webhook's secret, and the tokens in use on the API.
        headers = {"Authorization": f"Bearer {issued.token}"}
        hook = await browser.post(
            "/api/v2/webhooks",
            json={"workspace_id": done.workspace_id, "url": "https://a.example/h", "events": ["task.created"]},
            headers=headers,
        )
        assert hook.status_code == 201, hook.text
        secrets["webhook secret"] = hook.json()["data"]["token"]
        listed = await browser.get("/api/v2/webhooks", params={"workspace_id": done.workspace_id}, headers=headers)
        assert listed.status_code == 200
        bad = await browser.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {issued.token}x"})
        assert_error_code(bad, 401, "unauthenticated")

        assert len(captured.lines) > 50
        assert any("Issue token" in line for line in captured.lines)
        assert any("INSERT INTO webhooks" in line for line in captured.lines)
        for line in captured.lines:
            for what, value in secrets.items():
                assert value not in line, f"the {what} reached a log line: {line[:300]}"


class TestRedact:
    @pytest.mark.parametrize(
        ("text", "secret"),
        [
            ("Issue token {'access_token': 'wta_Ab12', 'refresh_token': 'wtr_Cd34'}", "wta_Ab12"),
            ("token=wtp_Xy9z&x=1", "wtp_Xy9z"),
            ("Authorization: Bearer abc.def-123", "abc.def-123"),
            ("secret whsec_AbCdEf12+/== signed", "AbCdEf12"),
            ("('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 3)", "aGFzaA"),
            ("GET /oauth/callback?code=abc123XYZ&state=s", "abc123XYZ"),
            ('{"password": "hunter22"}', "hunter22"),
            ("invite aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9w", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9w"),
        ],
    )
    def test_hides(self, text: str, secret: str) -> None:
        assert secret not in redact(text)
        assert REDACTED in redact(text)

    @pytest.mark.parametrize(
        "text",
        [
            "GET /api/v2/projects/{project_id} 200 3.1 ms",
            "delivery 0f3c of event evt_9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d succeeded",
            "request 4e2a9c0d1b7f4e8a9c0d1b7f4e8a9c0d",
            "status_code=200 client_id=wtc_abc",
        ],
    )
    def test_keeps_what_is_not_secret(self, text: str) -> None:
        assert redact(text) == text


class TestJsonLogs:
    async def test_one_object_per_line_with_the_request_fields(
        self, client: httpx.AsyncClient, tenants: Tenants
    ) -> None:
        ws = await tenants.workspace()
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        access = logging.getLogger("worktally.access")
        previous = access.level
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        try:
            response = await client.get(
                f"/api/v2/projects/{10**9}",
                params={"workspace_id": ws.id},
                headers={"Authorization": f"Bearer {ws.owner.token}", "X-Request-ID": "req-42.abc"},
            )
        finally:
            access.removeHandler(handler)
            access.setLevel(previous)

        assert_error_code(response, 404, "project_not_found")
        assert response.headers["x-request-id"] == "req-42.abc"
        lines = stream.getvalue().splitlines()
        assert len(lines) == 1
        line = json.loads(lines[0])
        assert line["request_id"] == "req-42.abc"
        assert line["method"] == "GET"
        assert line["route"] == "/api/v2/projects/{project_id}"
        assert line["status"] == 404
        assert line["duration_ms"] >= 0
        assert line["user_id"] == ws.owner.user_id
        assert line["workspace_id"] == ws.id
        assert line["level"] == "INFO" and line["logger"] == "worktally.access"

    async def test_a_request_without_an_id_gets_a_new_one_each_time(self, client: httpx.AsyncClient) -> None:
        first = await client.get("/livez")
        second = await client.get("/livez")

        assert len(first.headers["x-request-id"]) == 32
        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    @pytest.mark.parametrize("sent", ["a b", "x" * 129, "evil\u00e9", "line\tbreak"])
    async def test_an_unsafe_request_id_is_replaced(self, client: httpx.AsyncClient, sent: str) -> None:
        response = await client.get("/livez", headers={"X-Request-ID": sent.encode("latin-1")})  # type: ignore[dict-item]

        assert response.headers["x-request-id"] != sent
        assert len(response.headers["x-request-id"]) == 32

    def test_the_formatter_carries_the_request_id_of_the_context(self) -> None:
        from worktally.core.logs import REQUEST_ID

        token = REQUEST_ID.set("ctx-1")
        try:
            record = logging.getLogger("worktally.test").makeRecord(
                "worktally.test",
                logging.WARNING,
                __file__,
                1,
                "hello %s",
                ("password=abc12345",),
                None,
                extra={"event_id": "evt_1"},
            )
        finally:
            REQUEST_ID.reset(token)
        line = json.loads(JsonFormatter().format(record))

        assert line["request_id"] == "ctx-1"
        assert line["event_id"] == "evt_1"
        assert "abc12345" not in line["message"]
