from __future__ import annotations

from decimal import Decimal

from tests.errors import assert_error_code
from tests.expense.support import event_types, make_category, make_expense
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project

READ_ONLY = frozenset({"read"})
WRITE_ONLY = frozenset({"write"})


class TestListExpenses:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/expenses", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get("/expenses")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.get("/expenses")

        assert_error_code(response, 403, "role_forbidden")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/expenses", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_lists_in_the_catalogue_shape_with_the_total(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(firstname="John", lastname="Doe")
        category = await make_category(ws, "Supplies")
        project = await make_project(ws, name="Marketing Campaign Q1")
        await make_contract(ws, member, project)
        await make_expense(
            member,
            expense_name="Office Supplies",
            date="2024-01-15",
            amount=150.5,
            category_id=category["id"],
            project_id=project,
            note="Purchased office supplies for Q1",
            is_billable=True,
        )

        response = await member.api.get("/expenses")

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Expenses retrieved successfully"
        assert body["total_amount"] == 150.5
        assert body["currency"] == "USD"
        assert body["meta"]["pagination"]["total"] == 1
        [item] = body["data"]
        assert item["member"] == "John Doe"
        assert item["expense_date"] == "Jan 15, 2024"
        assert item["date"] == "2024-01-15"
        assert item["expense_name"] == "Office Supplies"
        assert item["project"] == "Marketing Campaign Q1" and item["project_id"] == project
        assert item["category"] == "Supplies" and item["category_id"] == category["id"]
        assert item["amount"] == 150.5
        assert item["note"] == "Purchased office supplies for Q1"
        assert item["type"] == "billable"
        assert item["user_id"] == member.user_id
        assert item["added_dte"].count(",") == 1

    async def test_a_member_sees_only_their_own_expenses_and_total(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        mine = await make_expense(member, amount=10)
        await make_expense(ws.owner, amount=99)

        response = await member.api.get("/expenses")

        assert [e["id"] for e in response.json()["data"]] == [mine["id"]]
        assert response.json()["total_amount"] == 10

    async def test_a_member_asking_for_someone_else_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get("/expenses", params={"user_id": ws.owner.user_id})

        assert_error_code(response, 403, "expenses_forbidden")

    async def test_the_owner_sees_every_expense_newest_first(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        old = await make_expense(member, date="2024-01-15")
        new = await make_expense(ws.owner, date="2024-02-01")

        response = await ws.owner.api.get("/expenses")

        assert [e["id"] for e in response.json()["data"]] == [new["id"], old["id"]]

    async def test_filters_by_date_range_and_id(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        january = await make_expense(ws.owner, date="2024-01-15", amount=1)
        february = await make_expense(ws.owner, date="2024-02-15", amount=2)

        ranged = await ws.owner.api.get("/expenses", params={"date_from": "2024-02-01", "date_to": "2024-02-28"})
        by_id = await ws.owner.api.get("/expenses", params={"id": january["id"]})

        assert [e["id"] for e in ranged.json()["data"]] == [february["id"]]
        assert ranged.json()["total_amount"] == 2
        assert [e["id"] for e in by_id.json()["data"]] == [january["id"]]

    async def test_the_total_covers_every_page(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        for amount in ("0.10", "0.20", "0.30"):
            await make_expense(ws.owner, amount=amount)

        response = await ws.owner.api.get("/expenses", params={"per_page": 1})

        assert len(response.json()["data"]) == 1
        assert response.json(parse_float=Decimal)["total_amount"] == Decimal("0.60")

    async def test_date_to_before_date_from_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/expenses", params={"date_from": "2024-02-01", "date_to": "2024-01-01"})

        assert_error_code(response, 422, "validation_failed")
        assert "date_to" in response.json()["errors"]

    async def test_bad_filters_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/expenses", params={"date_from": "soon", "per_page": 500})

        assert_error_code(response, 422, "validation_failed")


class TestCreateExpense:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post(
            "/api/v2/expenses", json={"workspace_id": ws.id, "expense_name": "X", "date": "2024-01-15", "amount": 1}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        api = await ws.token_for(member, READ_ONLY)

        response = await api.post("/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": 1})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.post("/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": 1})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_member_cannot_add_for_someone_else(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.post(
            "/expenses",
            json={"expense_name": "X", "date": "2024-01-15", "amount": 1, "user_id": ws.owner.user_id},
        )

        assert_error_code(response, 403, "expenses_forbidden")

    async def test_the_body_workspace_id_is_enough(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/expenses",
            json={"workspace_id": ws.id, "expense_name": "Taxi", "date": "2024-01-15", "amount": "12.30"},
            with_workspace=False,
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Expense created successfully"
        data = response.json()["data"]
        assert data["amount"] == 12.3
        assert data["type"] == "non-billable"
        assert data["user_id"] == ws.owner.user_id
        assert data["currency"] == "USD"
        assert await event_types(ws) == ["expense.created"]

    async def test_description_is_accepted_as_the_note(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        data = await make_expense(ws.owner, description="Taxi to the client")

        assert data["note"] == "Taxi to the client"

    async def test_the_owner_may_add_for_a_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        data = await make_expense(ws.owner, user_id=member.user_id)

        assert data["user_id"] == member.user_id

    async def test_the_owner_cannot_add_for_a_stranger(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        stranger = await (await tenants.workspace()).member()

        response = await ws.owner.api.post(
            "/expenses",
            json={"expense_name": "X", "date": "2024-01-15", "amount": 1, "user_id": stranger.user_id},
        )

        assert_error_code(response, 422, "validation_failed")
        assert "user_id" in response.json()["errors"]

    async def test_required_fields_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/expenses", json={})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"expense_name", "date", "amount"}

    async def test_the_amount_must_be_positive_with_two_decimals(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        for amount in (0, -1, 1.005, "abc", 1e30, "NaN", True):
            response = await ws.owner.api.post(
                "/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": amount}
            )
            assert_error_code(response, 422, "validation_failed")
            assert "amount" in response.json()["errors"]

    async def test_the_amount_is_kept_exactly(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        data = await make_expense(ws.owner, amount="9999999999.99")

        listed = await ws.owner.api.get("/expenses", params={"id": data["id"]})
        assert listed.json(parse_float=Decimal)["data"][0]["amount"] == Decimal("9999999999.99")

    async def test_the_category_must_exist_in_the_workspace(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_category(other)

        response = await ws.owner.api.post(
            "/expenses",
            json={"expense_name": "X", "date": "2024-01-15", "amount": 1, "category_id": theirs["id"]},
        )

        assert_error_code(response, 422, "validation_failed")
        assert "category_id" in response.json()["errors"]

    async def test_the_project_must_be_one_the_member_sees(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        unassigned = await make_project(ws)

        response = await member.api.post(
            "/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": 1, "project_id": unassigned}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "project_id" in response.json()["errors"]

    async def test_text_with_nul_characters_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/expenses", json={"expense_name": "X\u0000", "date": "2024-01-15", "amount": 1}
        )

        assert_error_code(response, 422, "validation_failed")


class TestUpdateExpense:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)

        response = await tenants.http.put(f"/api/v2/expenses/{expense['id']}", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put(f"/expenses/{expense['id']}", json={"amount": 2})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        expense = await make_expense(ws.owner)

        response = await viewer.api.put(f"/expenses/{expense['id']}", json={"amount": 2})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_member_cannot_touch_someone_elses_expense(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        expense = await make_expense(ws.owner, amount=5)

        response = await member.api.put(f"/expenses/{expense['id']}", json={"amount": 2})

        assert_error_code(response, 404, "expense_not_found")

    async def test_another_workspaces_expense_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        expense = await make_expense(other.owner, amount=5)

        response = await ws.owner.api.put(f"/expenses/{expense['id']}", json={"amount": 2})

        assert_error_code(response, 404, "expense_not_found")
        assert (await other.owner.api.get("/expenses")).json()["data"][0]["amount"] == 5

    async def test_updates_the_given_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        category = await make_category(ws)
        expense = await make_expense(member, amount=5, note="old")

        response = await member.api.put(
            f"/expenses/{expense['id']}",
            json={"amount": "7.25", "is_billable": True, "category_id": category["id"], "note": None},
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Expense updated successfully"
        data = response.json()["data"]
        assert data["amount"] == 7.25
        assert data["type"] == "billable"
        assert data["category"] == "Travel"
        assert data["note"] is None
        assert data["expense_name"] == expense["expense_name"]
        assert await event_types(ws) == ["expense.created", "expense.updated"]

    async def test_the_owner_may_update_a_members_expense(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        expense = await make_expense(member)

        response = await ws.owner.api.put(f"/expenses/{expense['id']}", json={"expense_name": "Taxi"})

        assert response.json()["data"]["expense_name"] == "Taxi"

    async def test_bad_values_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)

        response = await ws.owner.api.put(
            f"/expenses/{expense['id']}", json={"amount": -2, "date": "2024-13-01", "expense_name": None}
        )

        assert_error_code(response, 422, "validation_failed")
        assert {"amount", "date"} <= set(response.json()["errors"])

    async def test_null_for_a_required_field_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)

        response = await ws.owner.api.put(f"/expenses/{expense['id']}", json={"expense_name": None})

        assert_error_code(response, 422, "validation_failed")
        assert "expense_name" in response.json()["errors"]


class TestDeleteExpense:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.delete("/api/v2/expenses/abc", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.delete(f"/expenses/{expense['id']}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_member_cannot_delete_someone_elses_expense(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        expense = await make_expense(ws.owner)

        response = await member.api.delete(f"/expenses/{expense['id']}")

        assert_error_code(response, 404, "expense_not_found")

    async def test_another_workspaces_expense_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        expense = await make_expense(other.owner)

        response = await ws.owner.api.delete(f"/expenses/{expense['id']}")

        assert_error_code(response, 404, "expense_not_found")
        assert len((await other.owner.api.get("/expenses")).json()["data"]) == 1

    async def test_an_absurd_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.delete("/expenses/" + "%00" * 3)

        assert_error_code(response, 404, "http_404")

    async def test_deletes_the_members_own_expense(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        expense = await make_expense(member)

        response = await member.api.delete(f"/expenses/{expense['id']}")

        assert response.status_code == 200
        assert response.json()["message"] == "Expense deleted successfully"
        assert response.json()["data"] is None
        assert (await member.api.get("/expenses")).json()["data"] == []
        assert await event_types(ws) == ["expense.created", "expense.deleted"]
