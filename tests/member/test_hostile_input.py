from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants


class TestListFiltersWithHostileInput:
    @pytest.mark.parametrize(
        ("path", "params"),
        [
            ("/members", {"email": "a\x00b@example.com"}),
            ("/project-viewers", {"email": "a\x00b@example.com"}),
            ("/members", {"email": "é" * 300}),
        ],
    )
    async def test_odd_filters_are_422_never_500(self, tenants: Tenants, path: str, params: dict[str, str]) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(path, params=params)

        assert_error_code(response, 422, "validation_failed")


class TestUpdateMemberWithHostileInput:
    @pytest.mark.parametrize(
        "body",
        [
            {"rate": "NaN"},
            {"rate": "Infinity"},
            {"weekly_hours_limit": 2**100},
            {"title": "a\x00b"},
            {"timezone": "../../etc/passwd"},
            {"timezone": "a\x00"},
            {"firstname": "\x00"},
            {"team_id": 2**80},
            {"email": "x" * 300 + "@example.com"},
        ],
    )
    async def test_odd_updates_are_422(self, tenants: Tenants, body: dict[str, object]) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(f"/members/{member.user_id}", json=body)

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == set(body)

    async def test_an_infinite_rate_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(
            f"/members/{member.user_id}", content=b'{"rate": 1e400}', headers={"Content-Type": "application/json"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"rate"}
