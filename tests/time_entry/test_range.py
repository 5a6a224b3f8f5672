"""Extension (issue #14): ``GET /time-entries`` with ``date_from``/``date_to`` lists up to 31 days in one request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.time_entry.helpers import Booked, booked


def week(b: Booked, date_from: str = "2026-01-26", date_to: str = "2026-02-01", **more: Any) -> dict[str, Any]:
    return {"user_id": b.member.user_id, "date_from": date_from, "date_to": date_to, **more}


class TestListARange:
    async def test_lists_every_day_of_the_range_in_time_order_and_nothing_outside(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-25", "09:00", "10:00")  # the Sunday before
        await b.add("2026-01-30", "09:00", "10:00")
        await b.add("2026-01-26", "13:00", "14:00")
        await b.add("2026-02-01", "22:00", "23:00")
        await b.add("2026-02-02", "09:00", "10:00")  # the Monday after

        response = await b.ws.owner.api.get("/time-entries", params=week(b))

        assert response.status_code == 200, response.text
        body = response.json()
        assert [(i["date"], i["start_time"][11:16]) for i in body["data"]] == [
            ("2026-01-26", "13:00"),
            ("2026-01-30", "09:00"),
            ("2026-02-01", "22:00"),
        ]
        assert body["meta"]["pagination"]["total"] == 3

    async def test_a_range_is_the_members_own_days(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone="Asia/Tokyo")
        await b.add("2026-01-26", "00:30", "01:00")  # Sunday 15:30 UTC, Monday in Tokyo
        await b.add("2026-02-01", "23:00", "23:30")  # Sunday 14:00 UTC

        response = await b.ws.owner.api.get("/time-entries", params=week(b))

        assert [i["date"] for i in response.json()["data"]] == ["2026-01-26", "2026-02-01"]

    async def test_one_day_as_a_range_equals_the_day(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")
        await b.add("2026-01-29", "11:00", "12:00")

        ranged = await b.ws.owner.api.get("/time-entries", params=week(b, "2026-01-29", "2026-01-29"))

        assert ranged.json()["data"] == await b.day("2026-01-29")

    async def test_pages_through_a_range(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        for day in ("2026-01-26", "2026-01-27", "2026-01-28"):
            await b.add(day, "09:00", "10:00")

        second = await b.ws.owner.api.get("/time-entries", params=week(b, per_page=2, page=2))

        assert [i["date"] for i in second.json()["data"]] == ["2026-01-28"]
        assert second.json()["meta"]["pagination"]["total"] == 3

    async def test_31_days_are_allowed(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get("/time-entries", params=week(b, "2026-01-01", "2026-01-31"))

        assert response.status_code == 200, response.text
        assert response.json()["data"] == []
        assert response.json()["meta"]["pagination"]["total"] == 0

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"date_from": "2026-01-01", "date_to": "2026-02-01"}, "date_to", "The range may be at most 31 days."),
            (
                {"date_from": "2026-01-10", "date_to": "2026-01-09"},
                "date_to",
                "The date_to must be a date after or equal to date_from.",
            ),
            ({"date_from": "2026-01-10"}, "date_to", "The date_to is required with date_from."),
            ({"date_to": "2026-01-10"}, "date_from", "The date_from is required with date_to."),
            (
                {"date": "2026-01-10", "date_from": "2026-01-10", "date_to": "2026-01-11"},
                "date",
                "Give either date or date_from and date_to, not both.",
            ),
        ],
    )
    async def test_a_bad_range_is_422_on_its_field(
        self, tenants: Tenants, params: dict[str, str], field: str, message: str
    ) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get("/time-entries", params={"user_id": b.member.user_id, **params})

        assert_error_code(response, 422, "validation_failed")
        assert response.json()["errors"] == {field: [message]}

    async def test_a_malformed_day_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get("/time-entries", params=week(b, "2026-13-01", "2026-01-02"))

        assert_error_code(response, 422, "validation_failed")
        assert "date_from" in response.json()["errors"]

    async def test_a_member_reads_their_own_range_but_not_anothers(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        other = await b.ws.member()

        own = await b.member.api.get("/time-entries", params=week(b))
        theirs = await other.api.get("/time-entries", params=week(b))

        assert len(own.json()["data"]) == 1
        assert_error_code(theirs, 403, "role_forbidden")

    async def test_a_read_scope_is_enough_and_no_scope_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        reader = await b.ws.token_for(b.ws.owner, frozenset({"read"}))
        nothing = await b.ws.token_for(b.ws.owner, frozenset({"write"}))

        assert (await reader.get("/time-entries", params=week(b))).status_code == 200
        assert_error_code(await nothing.get("/time-entries", params=week(b)), 403, "insufficient_scope")

    async def test_a_member_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.get("/time-entries", params=week(b))

        assert_error_code(response, 404, "member_not_found")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await tenants.http.get("/api/v2/time-entries", params=week(b))

        assert_error_code(response, 401, "unauthenticated")

    async def test_the_document_marks_the_range_as_an_extension(self, tenants: Tenants) -> None:
        document = (await tenants.http.get("/api/v2/openapi.json")).json()
        parameters = {p["name"]: p for p in document["paths"]["/api/v2/time-entries"]["get"]["parameters"]}

        assert parameters["date"]["required"] is False
        assert parameters["date_from"]["schema"]["x-worktally-extension"] is True
        assert parameters["date_to"]["schema"]["x-worktally-extension"] is True
