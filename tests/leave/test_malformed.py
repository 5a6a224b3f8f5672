"""D2: no input, however malformed, gives a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.leave.support import make_policy

BODIES: list[Any] = [
    [],
    "x",
    None,
    {"policy_id": 2**64, "start": "2026-02-10", "end": "2026-02-10"},
    {"policy_id": 1, "start": "0001-01-01", "end": "0001-01-01", "user_id": -5},
    {"policy_id": True, "start": 20260210, "end": {"a": 1}, "reason": "\u0000"},
    {"policy_id": 1, "start": "2026-02-10", "end": "2026-02-10", "hours_per_day": "1e400"},
    {"name": "x" * 10_000, "unit": "days", "allowance": "1e999", "member_ids": [2**63]},
    {"name": "ok", "unit": "hours", "hours_per_day": "NaN", "member_ids": "all"},
]


class TestMalformedLeaveInput:
    @pytest.mark.parametrize("body", BODIES)
    async def test_writes_never_500(self, tenants: Tenants, body: Any) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=8)

        for method, path in (
            ("POST", "/leaves"),
            ("POST", "/leaves/policies"),
            ("PUT", f"/leaves/policies/{policy['id']}"),
            ("PUT", "/leaves/\u00e9\u00e9/approve"),
            ("PUT", "/leaves/x/reject"),
        ):
            response = await ws.owner.api.request(method, path, json=body)
            assert response.status_code < 500, (method, path, body, response.text)

    async def test_an_infinite_number_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves/policies",
            content=b'{"name": "x", "unit": "days", "allowance": 1e400, "hours_per_day": 1e400}',
            headers={"Content-Type": "application/json"},
        )

        assert_error_code(response, 422, "validation_failed")
        assert {"allowance", "hours_per_day"} <= set(response.json()["errors"])

    async def test_nan_is_not_json_and_stores_nothing(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves/policies",
            content=b'{"name": "x", "unit": "days", "allowance": 1, "hours_per_day": NaN}',
            headers={"Content-Type": "application/json"},
        )
        listed = await ws.owner.api.get("/leaves/policies")

        assert_error_code(response, 400, "invalid_json")
        assert listed.json()["data"] == []

    @pytest.mark.parametrize(
        "params",
        [
            {"user_id": 2**70, "policy_id": -1, "id": "x" * 100},
            {"date_from": "0001-01-01", "date_to": "9999-12-31", "id": "\u0000"},
            {"page": 2**70, "per_page": "ten"},
        ],
    )
    async def test_reads_never_500(self, tenants: Tenants, params: dict[str, Any]) -> None:
        ws = await tenants.workspace()
        await make_policy(ws)

        for path in ("/leaves", "/leaves/balances", "/leaves/policies"):
            response = await ws.owner.api.get(path, params=params)
            assert response.status_code < 500, (path, params, response.text)

    async def test_the_widest_balance_range_is_answered(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_policy(ws, allowance=1)

        response = await ws.owner.api.get(
            "/leaves/balances", params={"date_from": "0001-01-01", "date_to": "9999-12-31"}
        )

        assert response.status_code == 200
        assert response.json()["data"][0]["leave_information"][0]["balance"] == "9999 days"
