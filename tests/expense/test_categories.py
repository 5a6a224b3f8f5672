from __future__ import annotations

from tests.errors import assert_error_code
from tests.expense.support import make_category, make_expense
from tests.factories import Tenants

READ_ONLY = frozenset({"read"})


class TestListExpenseCategories:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/expenses/categories", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await api.get("/expenses/categories")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/expenses/categories", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_every_member_reads_the_categories_by_name(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        travel = await make_category(ws, "Travel")
        meals = await make_category(ws, "Meals")
        await make_category(await tenants.workspace(), "Elsewhere")

        response = await member.api.get("/expenses/categories")

        assert response.status_code == 200
        assert response.json()["data"] == [meals, travel]
        assert response.json()["meta"]["pagination"]["total"] == 2


class TestCreateExpenseCategory:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/expenses/categories", json={"workspace_id": ws.id, "name": "X"})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.post("/expenses/categories", json={"name": "Travel"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.post("/expenses/categories", json={"name": "Travel"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_creates_a_category(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/expenses/categories", json={"name": "  Travel  "})

        assert response.status_code == 201
        assert response.json()["message"] == "Expense category created successfully"
        data = response.json()["data"]
        assert data["name"] == "Travel"
        assert isinstance(data["id"], str)

    async def test_a_duplicate_name_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_category(ws, "Travel")

        response = await ws.owner.api.post("/expenses/categories", json={"name": "travel"})

        assert response.status_code == 409
        assert response.json()["error"] == "expense_category_exists"

    async def test_a_blank_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/expenses/categories", json={"name": "   "})

        assert_error_code(response, 422, "validation_failed")
        assert "name" in response.json()["errors"]


class TestUpdateExpenseCategory:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.put("/api/v2/expenses/categories/abc", json={"workspace_id": ws.id, "name": "X"})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        category = await make_category(ws)

        response = await member.api.put(f"/expenses/categories/{category['id']}", json={"name": "Trips"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        category = await make_category(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put(f"/expenses/categories/{category['id']}", json={"name": "Trips"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_category_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        category = await make_category(other, "Travel")

        response = await ws.owner.api.put(f"/expenses/categories/{category['id']}", json={"name": "Trips"})

        assert_error_code(response, 404, "expense_category_not_found")
        assert (await other.owner.api.get("/expenses/categories")).json()["data"][0]["name"] == "Travel"

    async def test_renames_and_expenses_show_the_new_name(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        category = await make_category(ws, "Travel")
        await make_expense(ws.owner, category_id=category["id"])

        response = await ws.owner.api.put(f"/expenses/categories/{category['id']}", json={"name": "Trips"})

        assert response.status_code == 200
        assert response.json()["data"] == {"id": category["id"], "name": "Trips"}
        assert (await ws.owner.api.get("/expenses")).json()["data"][0]["category"] == "Trips"

    async def test_renaming_to_another_categorys_name_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_category(ws, "Travel")
        meals = await make_category(ws, "Meals")

        response = await ws.owner.api.put(f"/expenses/categories/{meals['id']}", json={"name": "Travel"})

        assert_error_code(response, 409, "expense_category_exists")

    async def test_a_missing_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        category = await make_category(ws)

        response = await ws.owner.api.put(f"/expenses/categories/{category['id']}", json={})

        assert_error_code(response, 422, "validation_failed")
        assert "name" in response.json()["errors"]


class TestDeleteExpenseCategory:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.delete("/api/v2/expenses/categories/abc", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        category = await make_category(ws)

        response = await member.api.delete(f"/expenses/categories/{category['id']}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        category = await make_category(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.delete(f"/expenses/categories/{category['id']}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_category_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        category = await make_category(other)

        response = await ws.owner.api.delete(f"/expenses/categories/{category['id']}")

        assert_error_code(response, 404, "expense_category_not_found")

    async def test_a_deleted_category_is_hidden_but_kept_on_expenses(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        category = await make_category(ws, "Travel")
        await make_expense(ws.owner, category_id=category["id"])

        response = await ws.owner.api.delete(f"/expenses/categories/{category['id']}")

        assert response.status_code == 200
        assert (await ws.owner.api.get("/expenses/categories")).json()["data"] == []
        assert (await ws.owner.api.get("/expenses")).json()["data"][0]["category"] == "Travel"
        reuse = await ws.owner.api.post(
            "/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": 1, "category_id": category["id"]}
        )
        assert_error_code(reuse, 422, "validation_failed")
