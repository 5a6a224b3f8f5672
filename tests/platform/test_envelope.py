"""D1/D2: every status code comes in the envelope, with the D8 rate-limit headers."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.platform.conftest import PROBE_SECRET
from worktally.auth.token_repository import revoke_personal_token
from worktally.core import clock
from worktally.core.secrets import hash_token
from worktally.db.models import PersonalAccessToken

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
THINGS = "/_probe/things"


def assert_meta(body: dict[str, Any]) -> None:
    assert body["meta"]["api_version"] == "2.0.0"
    assert TIMESTAMP.match(body["meta"]["timestamp"])


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error envelope of D1, with ``status`` and the stable ``error`` code (tests/errors.py)."""
    body = assert_error_code(response, status, code)
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(body["message"], str) and body["message"]
    assert "data" not in body
    assert_meta(body)
    return body


def assert_rate_headers(response: httpx.Response) -> None:
    assert int(response.headers["X-RateLimit-Limit"]) > 0
    assert int(response.headers["X-RateLimit-Remaining"]) >= 0


def raw_post(probe: Tenants, path: str, content: bytes, *, token: str, content_type: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return probe.http.post(f"/api/v2{path}", content=content, headers=headers, params=params)


class TestSuccess:
    async def test_a_read_is_200_with_data_and_meta(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get(THINGS)

        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert body["data"] == []
        assert_meta(body)
        assert response.headers["content-type"].startswith("application/json")

    async def test_a_create_is_201_with_the_message(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "Lamp", "count": 2})

        assert response.status_code == 201
        body = response.json()
        assert body == {
            "success": True,
            "message": "Thing created successfully",
            "data": {"name": "Lamp", "count": 2},
            "meta": body["meta"],
        }
        assert_meta(body)

    async def test_every_counted_response_carries_the_rate_limit_headers(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        first = await ws.owner.api.get(THINGS)
        second = await ws.owner.api.get(THINGS)

        assert_rate_headers(first)
        assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1


class TestBadRequest:
    async def test_invalid_json_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe, THINGS, b'{"name": "x",', token=ws.owner.token, content_type="application/json", workspace_id=ws.id
        )

        assert_error(response, 400, "invalid_json")
        assert_rate_headers(response)

    async def test_a_form_body_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b"name=x&count=1",
            token=ws.owner.token,
            content_type="application/x-www-form-urlencoded",
            workspace_id=ws.id,
        )

        body = assert_error(response, 400, "unsupported_content_type")
        assert "JSON" in body["message"]

    async def test_a_text_plain_body_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b'{"name": "x", "count": 1}',
            token=ws.owner.token,
            content_type="text/plain",
            workspace_id=ws.id,
        )

        assert_error(response, 400, "unsupported_content_type")

    async def test_a_body_without_content_type_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe, THINGS, b'{"name": "x", "count": 1}', token=ws.owner.token, content_type=None, workspace_id=ws.id
        )

        assert_error(response, 400, "unsupported_content_type")

    async def test_missing_workspace_id_is_400_naming_it(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get(THINGS, with_workspace=False)

        body = assert_error(response, 400, "workspace_id_required")
        assert body["message"] == "workspace_id is required"

    async def test_missing_workspace_id_on_a_write_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "x", "count": 1}, with_workspace=False)

        body = assert_error(response, 400, "workspace_id_required")
        assert "workspace_id" in body["message"]

    async def test_a_non_integer_workspace_id_in_the_query_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get(THINGS, params={"workspace_id": "abc"})

        body = assert_error(response, 400, "invalid_workspace_id")
        assert "workspace_id" in body["message"]

    @pytest.mark.parametrize("value", ["abc", 1.5, True, [1], {"id": 1}])
    async def test_a_non_integer_workspace_id_in_the_body_is_400(self, probe: Tenants, value: Any) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(
            THINGS, json={"name": "x", "count": 1, "workspace_id": value}, with_workspace=False
        )

        body = assert_error(response, 400, "invalid_workspace_id")
        assert "workspace_id" in body["message"]

    async def test_workspace_id_in_the_body_alone_is_accepted(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(
            THINGS, json={"name": "x", "count": 1, "workspace_id": ws.id}, with_workspace=False
        )

        assert response.status_code == 201
        assert response.json()["data"]["name"] == "x"

    async def test_workspace_id_given_twice_with_two_values_is_400(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        other = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "x", "count": 1, "workspace_id": other.id})

        body = assert_error(response, 400, "workspace_id_conflict")
        assert "workspace_id" in body["message"]

    async def test_workspace_id_given_twice_with_one_value_is_accepted(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "x", "count": 1, "workspace_id": ws.id})

        assert response.status_code == 201
        assert response.json()["data"]["name"] == "x"


class TestUnauthenticated:
    async def test_no_token_is_401(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await probe.http.get(f"/api/v2{THINGS}", params={"workspace_id": ws.id})

        assert_error(response, 401, "unauthenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert_rate_headers(response)

    async def test_an_unknown_token_is_401(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await probe.http.get(
            f"/api/v2{THINGS}", params={"workspace_id": ws.id}, headers={"Authorization": "Bearer wtp_nonsense"}
        )

        assert_error(response, 401, "unauthenticated")

    async def test_a_non_bearer_scheme_is_401(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await probe.http.get(
            f"/api/v2{THINGS}", params={"workspace_id": ws.id}, headers={"Authorization": f"Basic {ws.owner.token}"}
        )

        assert_error(response, 401, "unauthenticated")

    async def test_an_expired_token_is_401(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        async with probe.sessionmaker() as session, session.begin():
            await session.execute(
                update(PersonalAccessToken)
                .where(PersonalAccessToken.token_hash == hash_token(ws.owner.token))
                .values(expires_at=clock.utc_now() - timedelta(seconds=1))
            )

        response = await ws.owner.api.get(THINGS)

        assert_error(response, 401, "unauthenticated")

    async def test_a_token_is_refused_once_the_clock_passes_its_lifetime(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        clock.freeze(clock.utc_now() + timedelta(days=183))
        try:
            response = await ws.owner.api.get(THINGS)
        finally:
            clock.freeze(None)

        assert_error(response, 401, "unauthenticated")

    async def test_a_revoked_token_is_401_at_once(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        assert (await ws.owner.api.get(THINGS)).status_code == 200
        async with probe.sessionmaker() as session, session.begin():
            assert await revoke_personal_token(session, ws.owner.token)

        response = await ws.owner.api.get(THINGS)

        assert_error(response, 401, "unauthenticated")

    async def test_the_messages_do_not_say_why(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        async with probe.sessionmaker() as session, session.begin():
            await revoke_personal_token(session, ws.owner.token)

        revoked = await ws.owner.api.get(THINGS)
        unknown = await probe.http.get(
            f"/api/v2{THINGS}", params={"workspace_id": ws.id}, headers={"Authorization": "Bearer wtp_nonsense"}
        )
        missing = await probe.http.get(f"/api/v2{THINGS}", params={"workspace_id": ws.id})

        assert revoked.json()["message"] == unknown.json()["message"] == missing.json()["message"]

    async def test_401_comes_before_workspace_id_validation(self, probe: Tenants) -> None:
        response = await probe.http.get(f"/api/v2{THINGS}")

        assert_error(response, 401, "unauthenticated")


class TestForbidden:
    async def test_a_workspace_the_caller_does_not_belong_to_is_403(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        other = await probe.workspace()

        response = await ws.owner.api.get(THINGS, params={"workspace_id": other.id})

        assert_error(response, 403, "not_a_member")

    @pytest.mark.parametrize("workspace_id", [0, -1, 2**31, 2**63, 10**40])
    async def test_an_impossible_workspace_id_is_403_not_500(self, probe: Tenants, workspace_id: int) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get(THINGS, params={"workspace_id": workspace_id})

        assert_error(response, 403, "not_a_member")

    @pytest.mark.parametrize("workspace_id", [2**31, 2**63, "x"])
    async def test_an_unknown_token_is_401_whatever_the_workspace_id(
        self, probe: Tenants, workspace_id: object
    ) -> None:
        response = await probe.http.get(
            f"/api/v2{THINGS}", params={"workspace_id": workspace_id}, headers={"Authorization": "Bearer wtp_nope"}
        )

        assert_error(response, 401, "unauthenticated")

    async def test_a_read_only_token_may_not_write_and_the_message_names_the_scope(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(THINGS, json={"name": "x", "count": 1})

        body = assert_error(response, 403, "insufficient_scope")
        assert "'write'" in body["message"]

    async def test_a_read_only_token_may_read(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.get(THINGS)

        assert response.status_code == 200
        full = await ws.owner.api.get(THINGS)
        assert response.json()["data"] == full.json()["data"]

    async def test_a_write_only_token_may_not_read_and_the_message_names_the_scope(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get(THINGS)

        body = assert_error(response, 403, "insufficient_scope")
        assert "'read'" in body["message"]

    async def test_a_role_without_the_permission_is_403(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        member = await ws.member(role="Regular User")

        response = await member.api.post(THINGS, json={"name": "x", "count": 1})

        assert_error(response, 403, "role_forbidden")

    async def test_an_inactive_member_is_403(self, probe: Tenants) -> None:
        ws = await probe.workspace()
        member = await ws.member(role="Executive manager", status="archived")

        response = await member.api.get(THINGS)

        assert_error(response, 403, "not_a_member")


class TestNotFound:
    async def test_an_unknown_route_is_404_in_the_envelope(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get("/no-such-thing")

        assert_error(response, 404, "http_404")
        assert_rate_headers(response)

    async def test_an_unknown_route_without_a_token_is_404(self, probe: Tenants) -> None:
        response = await probe.http.get("/api/v2/no/such/route")

        assert_error(response, 404, "http_404")


class TestMethodNotAllowed:
    async def test_a_wrong_method_is_405_in_the_envelope(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.delete("/workspaces")

        assert_error(response, 405, "http_405")
        assert_rate_headers(response)


class TestConflict:
    async def test_a_state_conflict_is_409_with_a_stable_code(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "taken", "count": 1})

        assert_error(response, 409, "thing_exists")
        assert_rate_headers(response)


class TestValidationFailed:
    async def test_field_errors_are_422_keyed_by_field(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "", "count": -1})

        body = assert_error(response, 422, "validation_failed")
        assert body["message"] == "Validation failed"
        assert set(body["errors"]) == {"name", "count"}
        assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)

    async def test_a_missing_field_is_422_naming_it(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "x"})

        body = assert_error(response, 422, "validation_failed")
        assert list(body["errors"]) == ["count"]

    async def test_a_json_array_instead_of_an_object_is_4xx(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json=[1, 2, 3])

        assert_error(response, 422, "validation_failed")


class TestServerError:
    async def test_a_crash_is_a_generic_500_envelope(self, probe: Tenants, caplog: pytest.LogCaptureFixture) -> None:
        ws = await probe.workspace()

        with caplog.at_level(logging.ERROR, logger="worktally"):
            response = await ws.owner.api.get("/_probe/boom")

        body = assert_error(response, 500, "internal_error")
        assert body["message"] == "An unexpected error occurred."
        assert PROBE_SECRET not in response.text
        assert "Traceback" not in response.text

    async def test_a_crash_is_logged_with_its_traceback(self, probe: Tenants, caplog: pytest.LogCaptureFixture) -> None:
        ws = await probe.workspace()

        with caplog.at_level(logging.ERROR, logger="worktally"):
            await ws.owner.api.get("/_probe/boom")

        [record] = [r for r in caplog.records if r.name == "worktally.errors"]
        assert record.exc_info is not None
        assert PROBE_SECRET in str(record.exc_info[1])
        assert "/api/v2/_probe/boom" in record.getMessage()


class TestMalformedInput:
    """D2: no input, however malformed, may produce a 500."""

    @pytest.mark.parametrize("count", [10**20, -(10**20), 10**400, 1e308, 2**63])
    async def test_huge_numbers_are_422(self, probe: Tenants, count: Any) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": "x", "count": count})

        assert_error(response, 422, "validation_failed")

    # NaN and Infinity are not JSON (RFC 8259), though Python's decoder reads them: refused as undecodable (400,
    # D2), as an integer literal past Python's digit limit is.
    @pytest.mark.parametrize(
        ("literal", "status", "code"),
        [
            (b"NaN", 400, "invalid_json"),
            (b"Infinity", 400, "invalid_json"),
            (b"-Infinity", 400, "invalid_json"),
            (b"9" * 5000, 400, "invalid_json"),
        ],
    )
    async def test_non_finite_and_giant_literals_are_4xx(
        self, probe: Tenants, literal: bytes, status: int, code: str
    ) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b'{"name": "x", "count": ' + literal + b"}",
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        assert_error(response, status, code)

    @pytest.mark.parametrize("name", ["Zoë 😀 漢字", "\u202eRTL", "nul\u0000byte", "ﷺ" * 50])
    async def test_unicode_round_trips(self, probe: Tenants, name: str) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post(THINGS, json={"name": name, "count": 1})

        assert response.status_code == 201
        assert response.json()["data"]["name"] == name

    async def test_a_lone_surrogate_is_4xx(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b'{"name": "\\ud800", "count": 1}',
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        assert_error(response, 422, "validation_failed")

    async def test_invalid_utf8_is_4xx(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b'{"name": "\xff\xfe", "count": 1}',
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        assert_error(response, 400, "invalid_json")

    async def test_a_10_mb_string_is_4xx(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            THINGS,
            b'{"name": "' + b"a" * 10_000_000 + b'", "count": 1}',
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        assert_error(response, 413, "payload_too_large")

    async def test_a_10_mb_body_on_an_action_is_not_a_500(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            "/_probe/actions",
            b'{"padding": "' + b"a" * 10_000_000 + b'"}',
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        assert_error(response, 413, "payload_too_large")

    @pytest.mark.parametrize("path", [THINGS, "/_probe/actions"])
    async def test_absurdly_nested_json_is_not_a_500(self, probe: Tenants, path: str) -> None:
        """A model's body is parsed and refused as not JSON; an action without a body model never reads it."""
        ws = await probe.workspace()

        response = await raw_post(
            probe,
            path,
            b"[" * 100_000 + b"]" * 100_000,
            token=ws.owner.token,
            content_type="application/json",
            workspace_id=ws.id,
        )

        if path == THINGS:
            assert_error(response, 400, "invalid_json")
        else:
            assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        "params",
        [{"page": -1}, {"page": 0}, {"per_page": -5}, {"per_page": 10**30}, {"page": "x"}, {"page": 10**30}],
    )
    async def test_odd_paging_is_never_a_500(self, probe: Tenants, params: dict[str, Any]) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get("/workspaces", params=params, with_workspace=False)

        assert_error(response, 422, "validation_failed")

    async def test_a_negative_page_is_422_on_page(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get("/workspaces", params={"page": -3}, with_workspace=False)

        body = assert_error(response, 422, "validation_failed")
        assert list(body["errors"]) == ["page"]

    @pytest.mark.parametrize("ref", [2**31, 2**40, 2**63, 2**70, -(2**40)])
    async def test_an_id_past_the_column_range_is_404(self, probe: Tenants, ref: int) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get(f"/_probe/workspaces/{ref}")

        assert_error(response, 404, "not_found")

    async def test_an_existing_id_is_found(self, probe: Tenants) -> None:
        ws = await probe.workspace(name="Found")

        response = await ws.owner.api.get(f"/_probe/workspaces/{ws.id}")

        assert response.json()["data"] == "Found"

    async def test_a_nul_character_the_database_cannot_store_is_never_a_500(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.post("/_probe/notes", json={"text": "nul\u0000here"})

        if response.status_code != 201:  # PostgreSQL's text cannot hold NUL; SQLite stores it
            assert_error(response, 422, "validation_failed")
