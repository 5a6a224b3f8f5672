"""The route index finds what a plain scan of the routes would, and the document still says what the code reads."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from worktally.api.routing import API_PREFIX, RouteIndex
from worktally.main import DOMAIN_ROUTERS


def _api_routes(app: Any) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith(API_PREFIX + "/")]


def _scope(path: str, method: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}


def _scan(routes: list[APIRoute], scope: dict[str, Any]) -> APIRoute | None:
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def test_every_operation_is_reached_through_the_index_as_by_a_scan(app: Any) -> None:
    routes = _api_routes(app)
    [index] = [r for r in app.routes if isinstance(r, RouteIndex)]
    assert len(routes) == sum(len(router.routes) for router in DOMAIN_ROUTERS) >= 80
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "7", route.path)
        for method in route.methods:
            scope = _scope(path, method)
            match, child = index.matches(scope)
            assert match is Match.FULL, f"{method} {route.path}"
            assert child["route"] is _scan(routes, scope), f"{method} {route.path}"


def test_the_index_leaves_unknown_paths_to_the_router(app: Any) -> None:
    [index] = [r for r in app.routes if isinstance(r, RouteIndex)]
    for method, path in [
        ("GET", "/api/v2/no-such-thing"),
        ("GET", "/api/v2/projects/1/no-such-thing"),
        ("GET", "/api/v2/openapi.json"),
        ("GET", "/oauth/authorize"),
    ]:
        assert index.matches(_scope(path, method))[0] is Match.NONE


async def test_wrong_method_and_unknown_path_keep_their_status(client: httpx.AsyncClient) -> None:
    wrong_method = await client.patch("/api/v2/projects/1")
    unknown = await client.get("/api/v2/no-such-thing")

    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "http_405"
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "http_404"


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _accepted_methods(document: dict[str, Any]) -> dict[str, set[str]]:
    """Every API path template of the document → the methods it declares."""
    return {
        path: {method.upper() for method in item}
        for path, item in document["paths"].items()
        if path.startswith(API_PREFIX + "/") and path != f"{API_PREFIX}/openapi.json"
    }


def _methods_of(accepted: dict[str, set[str]], path: str) -> set[str]:
    """The methods of the most specific template that fits ``path``: a literal segment wins, left to right."""
    fitting = [
        template for template in accepted if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path)
    ]
    best = min(fitting, key=lambda t: tuple(1 if "{" in segment else 0 for segment in t.split("/")))
    return accepted[best]


async def test_a_405_allows_exactly_the_methods_of_its_path(client: httpx.AsyncClient, app: Any) -> None:
    """D2: for every path template and every method it does not accept, 405 with ``Allow`` = what it does."""
    accepted = _accepted_methods(app.openapi())
    checked = 0

    for template, methods in accepted.items():
        path = re.sub(r"\{[^}]+\}", "7", template)
        assert _methods_of(accepted, path) == methods, template
        for method in set(_METHODS) - methods:
            response = await client.request(method, path)

            assert response.status_code == 405, response.text
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert allowed == methods, f"{method} {template}: Allow {response.headers['allow']}"
            if method != "HEAD":
                assert response.json()["error"] == "http_405", f"{method} {template}"
            checked += 1

    assert len(accepted) >= 55
    assert checked >= 5 * len(accepted)


async def test_a_literal_path_is_not_read_as_an_id(client: httpx.AsyncClient) -> None:
    # /expenses/categories is the categories collection, not the expense whose id would be "categories".
    for method in ("PUT", "DELETE"):
        response = await client.request(method, "/api/v2/expenses/categories")

        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, POST"
        assert response.json()["error"] == "http_405"


async def test_allow_lists_methods_in_the_usual_order(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v2/projects/1")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT, DELETE"
    assert response.json()["error"] == "http_405"


async def test_a_path_two_templates_fit_allows_the_methods_of_the_more_literal(client: httpx.AsyncClient) -> None:
    # /leaves/policies/approve fits PUT|DELETE /leaves/policies/{policyId} and PUT /leaves/{id}/approve.
    response = await client.get("/api/v2/leaves/policies/approve")

    assert response.status_code == 405
    assert response.headers["allow"] == "PUT, DELETE"
    assert response.json()["error"] == "http_405"


async def test_a_wrong_method_is_405_before_authentication(client: httpx.AsyncClient) -> None:
    # The method is wrong whoever asks: no token is needed to learn what a path accepts.
    response = await client.delete("/api/v2/timesheets", params={"workspace_id": 1})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["error"] == "http_405"


@pytest.fixture(scope="module")
def document(app: Any) -> dict[str, Any]:
    return app.openapi()  # type: ignore[no-any-return]


def test_every_api_operation_documents_both_security_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (`wtp_…`) or an OAuth2 access token (`wta_…`).",
    }
    assert set(schemes["oauth2"]["flows"]["authorizationCode"]["scopes"]) == {"read", "write", "admin"}
    operations = [
        (p, m, op) for p, item in document["paths"].items() if p.startswith(API_PREFIX) for m, op in item.items()
    ]
    assert len(operations) >= 80
    for path, method, operation in operations:
        assert operation.get("security") == [{"bearer": []}, {"oauth2": []}], f"{method} {path}"


def test_workspace_scoped_operations_document_workspace_id(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in item.items():
            names = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
            documented = ("workspace_id", "query") in names
            # GET /workspaces is the one operation outside any workspace (D3).
            assert documented is (path != f"{API_PREFIX}/workspaces"), f"{method} {path}"
            assert len(names) == len(set(names)), f"{method} {path}: a parameter twice"
