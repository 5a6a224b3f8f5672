"""Issue #15: a keyed write costs at most one statement more than the same write without a key.

Every statement is counted: SQLAlchemy's (``before_cursor_execute``) and, on PostgreSQL, the prepared reads
that run on asyncpg directly (a query logger on each connection the read pool hands out).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.factories import Tenants
from tests.statements import counting_statements


def where_args(where: str, workspace_id: int) -> dict[str, Any]:
    """``workspace_id`` in the query (read with the token) or in the body (read with the membership, D3)."""
    if where == "query":
        return {"query": True, "json": {}}
    return {"query": False, "json": {"workspace_id": workspace_id}}


def name() -> str:
    return "Cost " + secrets.token_hex(4)


@pytest.mark.parametrize("where", ["query", "body"])
class TestOneStatementMore:
    async def test_a_keyed_create_costs_one_statement_more(self, tenants: Tenants, app: Any, where: str) -> None:
        ws = await tenants.workspace()
        api, extra = ws.owner.api, where_args(where, ws.id)
        await api.post("/projects", json={"name": name(), **extra["json"]}, with_workspace=extra["query"])  # warm

        async with counting_statements(app) as plain:
            created = await api.post("/projects", json={"name": name(), **extra["json"]}, with_workspace=extra["query"])
        assert created.status_code == 201, created.text
        async with counting_statements(app) as keyed:
            created = await api.post(
                "/projects",
                json={"name": name(), **extra["json"]},
                headers={"Idempotency-Key": secrets.token_hex(8)},
                with_workspace=extra["query"],
            )
        assert created.status_code == 201, created.text

        assert len(keyed) == len(plain) + 1, (plain, keyed)
        assert any("idempotency_keys" in s for s in keyed if "INSERT" in s.upper())

    async def test_a_replay_costs_no_statement_more_than_authentication(
        self, tenants: Tenants, app: Any, where: str
    ) -> None:
        ws = await tenants.workspace()
        api, extra = ws.owner.api, where_args(where, ws.id)
        k = {"Idempotency-Key": secrets.token_hex(8)}
        body = {"name": name(), **extra["json"]}
        first = await api.post("/projects", json=body, headers=k, with_workspace=extra["query"])
        assert first.status_code == 201, first.text

        async with counting_statements(app) as replay:
            again = await api.post("/projects", json=body, headers=k, with_workspace=extra["query"])

        assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
        # the token, membership and stored answer in one statement (two when the workspace is in the body)
        statements = [s for s in replay if not s.startswith("BEGIN")]  # SQLite's BEGIN IMMEDIATE (db/session.py)
        assert len(statements) == (1 if where == "query" else 2), statements
