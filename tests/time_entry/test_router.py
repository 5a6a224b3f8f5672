from __future__ import annotations

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task, make_team
from tests.time_entry.helpers import booked


class TestCreateTimeEntry:
    async def test_adds_time_and_reports_saved_minutes(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "09:00", "17:00", notes="Working on feature implementation")

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "8 hr successfully added for John Doe."
        assert body["saved_minutes"] == 480
        data = body["data"]
        assert data["user_id"] == b.member.user_id
        assert data["contract_id"] == b.contract_id
        assert data["project_id"] == b.project_id
        assert data["project_name"] == "Website Redesign"
        assert data["method"] == "Manually added time"
        assert data["date"] == "2026-01-29"
        assert data["start_time"] == "2026-01-29T09:00:00.000000Z"
        assert data["end_time"] == "2026-01-29T17:00:00.000000Z"
        assert data["duration_minutes"] == 480
        assert data["total_minutes"] == 480
        assert data["activity_description"] == "Working on feature implementation"

    async def test_stores_a_task_of_the_contracts_project(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "09:00", "10:30", task_id=b.task_id)

        assert response.status_code == 201
        assert response.json()["data"]["task_title"] == "Implement auth"
        assert response.json()["message"] == "1 hr 30 min successfully added for John Doe."

    async def test_time_without_a_contract_has_no_project(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "09:00", "09:25", contract=False)

        assert response.status_code == 201
        assert response.json()["data"]["project_id"] is None
        assert response.json()["message"] == "25 min successfully added for John Doe."

    async def test_end_of_midnight_means_the_end_of_the_day(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "22:00", "00:00")

        assert response.status_code == 201
        assert response.json()["data"]["end_time"] == "2026-01-30T00:00:00.000000Z"
        assert response.json()["saved_minutes"] == 120

    async def test_overlapping_part_is_not_saved_and_warned_about(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "12:00", "13:00")

        response = await b.add("2026-01-29", "09:00", "17:00")

        assert response.status_code == 201
        body = response.json()
        assert body["saved_minutes"] == 420
        assert body["message"].startswith("7 hr successfully added for John Doe. Warning:")
        pieces = [(e["start_time"][11:16], e["end_time"][11:16]) for e in body["data"]["entries"]]
        assert pieces == [("09:00", "12:00"), ("13:00", "17:00")]

    async def test_back_to_back_entries_are_both_kept(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")

        response = await b.add("2026-01-29", "10:00", "11:00")

        assert response.status_code == 201
        assert response.json()["saved_minutes"] == 60
        assert len(await b.day("2026-01-29")) == 2

    async def test_fully_overlapped_time_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "17:00")

        response = await b.add("2026-01-29", "10:00", "11:00")

        assert response.status_code == 409
        assert response.json()["error"] == "time_overlap"
        assert len(await b.day("2026-01-29")) == 1

    async def test_weekly_hours_limit_caps_saved_time(self, tenants: Tenants) -> None:
        b = await booked(tenants, weekly_hours_limit=10)
        await b.add("2026-01-26", "09:00", "17:00")

        response = await b.add("2026-01-27", "09:00", "17:00")

        assert response.status_code == 201
        assert response.json()["saved_minutes"] == 120
        assert response.json()["data"]["end_time"] == "2026-01-27T11:00:00.000000Z"

    async def test_weekly_limit_reached_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants, weekly_hours_limit=1)
        await b.add("2026-01-26", "09:00", "10:00")

        response = await b.add("2026-01-27", "09:00", "10:00")

        assert response.status_code == 409
        assert response.json()["error"] == "weekly_limit_reached"

    async def test_weekly_limit_starts_again_on_monday(self, tenants: Tenants) -> None:
        b = await booked(tenants, weekly_hours_limit=1)
        await b.add("2026-01-25", "09:00", "10:00")  # a Sunday

        response = await b.add("2026-01-26", "09:00", "10:00")

        assert response.status_code == 201
        assert response.json()["saved_minutes"] == 60

    async def test_notes_with_a_nul_are_422_on_either_database(self, tenants: Tenants) -> None:
        # PostgreSQL cannot store NUL and SQLite would: refused as a field error on both.
        b = await booked(tenants)

        response = await b.add("2026-01-29", "09:00", "10:00", notes="before\x00after")

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert response.json()["errors"]["notes"] == ["The value must not contain NUL characters."]
        assert await b.day("2026-01-29") == []

    async def test_rejects_end_before_start(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "17:00", "09:00")

        assert_error_code(response, 422, "validation_failed")
        assert "end_time" in response.json()["errors"]

    async def test_rejects_malformed_times_and_dates(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-02-30", "9am", "25:00")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) >= {"date", "start_time", "end_time"}

    async def test_rejects_a_contract_of_another_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()
        other_contract = await make_contract(b.ws, other, b.project_id)

        response = await b.add("2026-01-29", "09:00", "10:00", contract_id=other_contract)

        assert_error_code(response, 422, "validation_failed")
        assert "contract_id" in response.json()["errors"]

    async def test_rejects_a_task_of_another_project(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other_project = await make_project(b.ws, name="Other")
        task = await make_task(b.ws, other_project)

        response = await b.add("2026-01-29", "09:00", "10:00", task_id=task)

        assert_error_code(response, 422, "validation_failed")
        assert "task_id" in response.json()["errors"]

    async def test_rejects_a_user_of_another_workspace(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.post(
            "/time-entries",
            json={"user_id": b.member.user_id, "date": "2026-01-29", "start_time": "09:00", "end_time": "10:00"},
        )

        assert_error_code(response, 422, "validation_failed")
        assert "user_id" in response.json()["errors"]

    async def test_huge_ids_are_422_not_500(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.add("2026-01-29", "09:00", "10:00", user_id=10**30, contract_id=-1)

        assert_error_code(response, 422, "validation_failed")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-entries", json={})

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post(
            "/time-entries",
            json={"user_id": b.member.user_id, "date": "2026-01-29", "start_time": "09:00", "end_time": "10:00"},
        )

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.post(
            "/time-entries",
            json={"user_id": b.member.user_id, "date": "2026-01-29", "start_time": "09:00", "end_time": "10:00"},
        )

        assert response.status_code == 403
        assert response.json()["error"] == "insufficient_scope"

    async def test_executive_manager_may_add_time(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        em = await b.ws.member(role="Executive manager")

        response = await em.api.post(
            "/time-entries",
            json={"user_id": b.member.user_id, "date": "2026-01-29", "start_time": "09:00", "end_time": "10:00"},
        )

        assert response.status_code == 201
        [entry] = await b.day("2026-01-29")
        assert (entry["start_time"], entry["end_time"]) == (
            "2026-01-29T09:00:00.000000Z",
            "2026-01-29T10:00:00.000000Z",
        )

    async def test_workspace_id_in_the_body_is_accepted(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.post(
            "/time-entries",
            with_workspace=False,
            json={
                "workspace_id": b.ws.id,
                "user_id": b.member.user_id,
                "date": "2026-01-29",
                "start_time": "09:00",
                "end_time": "10:00",
            },
        )

        assert response.status_code == 201
        [entry] = await b.day("2026-01-29")
        assert entry["id"] == response.json()["data"]["id"]

    async def test_records_a_created_event(self, tenants: Tenants) -> None:
        from sqlalchemy import select

        from worktally.db.models import WebhookEvent

        b = await booked(tenants)

        await b.add("2026-01-29", "09:00", "10:00")

        async with tenants.sessionmaker() as session:
            types = (
                (await session.execute(select(WebhookEvent.type).where(WebhookEvent.workspace_id == b.ws.id)))
                .scalars()
                .all()
            )
        assert "time_entry.created" in types


class TestListTimeEntries:
    async def test_lists_the_members_day_in_order(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "13:00", "14:00")
        await b.add("2026-01-29", "09:00", "10:00")
        await b.add("2026-01-30", "09:00", "10:00")

        items = await b.day("2026-01-29")

        assert [i["start_time"][11:16] for i in items] == ["09:00", "13:00"]

    async def test_filters_by_project_and_task(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00", task_id=b.task_id)
        await b.add("2026-01-29", "10:00", "11:00", contract=False)

        by_project = await b.ws.owner.api.get(
            "/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29", "project_id": b.project_id}
        )
        by_task = await b.ws.owner.api.get(
            "/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29", "task_id": b.task_id}
        )

        assert len(by_project.json()["data"]) == 1
        assert len(by_task.json()["data"]) == 1

    async def test_requires_user_id_and_date(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get("/time-entries")
        without_date = await b.ws.owner.api.get("/time-entries", params={"user_id": b.member.user_id})

        assert_error_code(response, 422, "validation_failed")
        assert "user_id" in response.json()["errors"]
        assert_error_code(without_date, 422, "validation_failed")
        assert without_date.json()["errors"] == {"date": ["Field required."]}

    async def test_per_page_above_50_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get(
            "/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29", "per_page": 51}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "per_page" in response.json()["errors"]

    async def test_member_reads_their_own_day(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")

        response = await b.member.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"})

        assert response.status_code == 200
        assert len(response.json()["data"]) == 1

    async def test_member_may_not_read_another_members_day(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()

        response = await other.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_team_manager_reads_a_managed_members_day(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        manager = await b.ws.member(role="Team manager")
        await make_team(b.ws, members=[b.member], managers=[manager])
        await b.add("2026-01-29", "09:00", "10:00")

        response = await manager.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"})

        assert response.status_code == 200
        assert len(response.json()["data"]) == 1

    async def test_project_manager_reads_time_on_their_project(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        manager = await b.ws.member(role="Project manager")
        await make_contract(b.ws, manager, b.project_id)

        response = await manager.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"})

        assert response.status_code == 200
        assert response.json()["data"] == []  # nothing booked yet: the read is allowed, and empty

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_user_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.get(
            "/time-entries", params={"user_id": b.member.user_id, "date": "2026-01-29"}
        )

        assert_error_code(response, 404, "member_not_found")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/time-entries")

        assert_error_code(response, 401, "unauthenticated")


class TestUpdateTimeEntry:
    async def test_one_time_given_keeps_the_other(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "17:00")).json()["data"]

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"start_time": "10:00"})

        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Time entry updated successfully"
        [entry] = await b.day("2026-01-29")
        assert (entry["start_time"][11:16], entry["end_time"][11:16]) == ("10:00", "17:00")
        assert entry["duration_minutes"] == 420

    async def test_end_only_keeps_the_start(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "17:00")).json()["data"]

        await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "12:00"})

        [entry] = await b.day("2026-01-29")
        assert (entry["start_time"][11:16], entry["end_time"][11:16]) == ("09:00", "12:00")

    async def test_notes_with_a_nul_are_422_and_the_entry_is_unchanged(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00", notes="Kept")).json()["data"]

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"notes": "x\x00"})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert list(response.json()["errors"]) == ["notes"]
        [entry] = await b.day("2026-01-29")
        assert entry["activity_description"] == "Kept"

    async def test_moves_to_another_date(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"date": "2026-01-30"})

        assert await b.day("2026-01-29") == []
        assert len(await b.day("2026-01-30")) == 1

    async def test_edit_over_another_entry_is_split(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        await b.add("2026-01-29", "12:00", "13:00")

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "15:00"})

        assert response.json()["saved_minutes"] == 300
        spans = [(e["start_time"][11:16], e["end_time"][11:16]) for e in await b.day("2026-01-29")]
        assert spans == [("09:00", "12:00"), ("12:00", "13:00"), ("13:00", "15:00")]

    async def test_an_edit_saved_in_part_over_other_time_says_so(self, tenants: Tenants) -> None:
        # D9: the same warning as POST gives, and saved_minutes, instead of a bare success.
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        await b.add("2026-01-29", "12:00", "13:00")

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "17:00"})
        partial_post = await b.add("2026-01-29", "08:00", "18:00")  # 08-09 and 17-18 are free

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["saved_minutes"] == 420
        assert body["data"]["saved_minutes"] == 420
        assert body["data"]["requested_minutes"] == 480
        warning = "Warning: only 7 hr of 8 hr were saved; the rest overlapped existing time or exceeded the weekly hours limit."
        assert body["message"] == f"Time entry updated successfully. {warning}"
        assert (
            partial_post.json()["message"]
            == f"2 hr successfully added for John Doe. {warning.replace('7 hr of 8', '2 hr of 10')}"
        )
        assert [(e["start_time"][11:16], e["end_time"][11:16]) for e in body["data"]["entries"]] == [
            ("09:00", "12:00"),
            ("13:00", "17:00"),
        ]

    async def test_an_edit_capped_by_the_weekly_limit_says_so(self, tenants: Tenants) -> None:
        b = await booked(tenants, weekly_hours_limit=10)
        await b.add("2026-01-26", "09:00", "17:00")
        created = (await b.add("2026-01-27", "09:00", "10:00")).json()["data"]

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "13:00"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["saved_minutes"] == 120
        assert body["message"] == (
            "Time entry updated successfully. Warning: only 2 hr of 4 hr were saved; the rest overlapped"
            " existing time or exceeded the weekly hours limit."
        )
        [entry] = await b.day("2026-01-27")
        assert (entry["start_time"][11:16], entry["end_time"][11:16]) == ("09:00", "11:00")

    async def test_an_edit_saved_whole_has_no_warning(self, tenants: Tenants) -> None:
        b = await booked(tenants, weekly_hours_limit=10)
        created = (await b.add("2026-01-27", "09:00", "10:00")).json()["data"]

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "12:00"})

        assert response.json()["message"] == "Time entry updated successfully"
        assert response.json()["saved_minutes"] == 180

    async def test_edit_entirely_inside_another_entry_is_409_and_changes_nothing(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        await b.add("2026-01-29", "12:00", "14:00")

        response = await b.ws.owner.api.put(
            f"/time-entries/{created['id']}", json={"start_time": "12:30", "end_time": "13:30"}
        )

        assert_error_code(response, 409, "time_overlap")
        spans = [(e["start_time"][11:16], e["end_time"][11:16]) for e in await b.day("2026-01-29")]
        assert spans == [("09:00", "10:00"), ("12:00", "14:00")]

    async def test_changes_notes_and_task(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"notes": "Review", "task_id": b.task_id})

        [entry] = await b.day("2026-01-29")
        assert entry["activity_description"] == "Review"
        assert entry["task_id"] == b.task_id

    async def test_project_without_a_contract_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        other_project = await make_project(b.ws, name="Other")

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"project_id": other_project})

        assert_error_code(response, 422, "validation_failed")
        assert "project_id" in response.json()["errors"]

    async def test_end_before_start_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        response = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "08:00"})

        assert_error_code(response, 422, "validation_failed")

    async def test_entry_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.put(f"/time-entries/{created['id']}", json={"start_time": "08:00"})

        assert_error_code(response, 404, "time_entry_not_found")
        [entry] = await b.day("2026-01-29")
        assert entry["start_time"][11:16] == "09:00"

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        response = await b.member.api.put(f"/time-entries/{created['id']}", json={"start_time": "08:00"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.put("/api/v2/time-entries/x", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestDeleteTimeEntry:
    async def test_deletes_permanently(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        response = await b.ws.owner.api.delete(f"/time-entries/{created['id']}")

        assert response.status_code == 200
        assert response.json()["message"] == "Time entry deleted successfully"
        assert response.json()["data"] is None
        assert await b.day("2026-01-29") == []

    async def test_workspace_id_in_the_body_is_accepted(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        response = await b.ws.owner.api.request(
            "DELETE", f"/time-entries/{created['id']}", with_workspace=False, json={"workspace_id": b.ws.id}
        )

        assert response.status_code == 200
        assert await b.day("2026-01-29") == []

    async def test_missing_workspace_id_is_400(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.delete("/time-entries/x", with_workspace=False)

        assert_error_code(response, 400, "workspace_id_required")

    async def test_unknown_id_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.delete("/time-entries/does-not-exist")

        assert_error_code(response, 404, "time_entry_not_found")

    async def test_entry_of_another_workspace_is_404_and_kept(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.delete(f"/time-entries/{created['id']}")

        assert_error_code(response, 404, "time_entry_not_found")
        assert len(await b.day("2026-01-29")) == 1

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2026-01-29", "09:00", "10:00")).json()["data"]

        response = await b.member.api.delete(f"/time-entries/{created['id']}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.delete("/time-entries/x")

        assert_error_code(response, 403, "insufficient_scope")


class TestOutOfCalendarDates:
    async def test_far_dates_are_422_not_500(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        listing = await b.ws.owner.api.get("/time-entries", params={"user_id": b.member.user_id, "date": "9999-12-31"})
        creating = await b.add("0001-01-01", "09:00", "10:00")
        requesting = await b.member.api.post(
            "/time-requests", json={"start": "9999-12-31T20:00:00Z", "end": "9999-12-31T21:00:00Z"}
        )
        sheets = await b.ws.owner.api.get("/timesheets", params={"date_to": "9999-12-31"})

        assert [r.status_code for r in (listing, creating, requesting, sheets)] == [422, 422, 422, 422]
