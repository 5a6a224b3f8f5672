"""Where API operations live: the ``/api/v2`` prefix, each domain's router, and finding a request's route.

Every domain declares its operations on ``api_router(...)``: paths under ``/api/v2``, one transaction per
request (``TransactionalRoute``) and the error envelope of D2 documented for each operation.

``create_app`` adds those routes to the app as they are, without nesting routers, and puts a ``RouteIndex``
in front of them: a request is matched only against the operations of its own resource (``/api/v2/projects/…``
against the projects routes), not against all ninety in turn (a measured ~30 % of a small request's time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from worktally.api.deps import TransactionalRoute
from worktally.api.envelope import ErrorEnvelope

API_PREFIX = "/api/v2"

# Every API operation documents the error envelope for the codes of D2.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": description}
    for code, description in {
        400: "Bad request (malformed JSON, missing or invalid workspace_id)",
        401: "Unauthenticated",
        403: "Forbidden (role, scope or workspace)",
        404: "Not found",
        409: "Conflict",
        422: "Validation failed",
        413: "Request body larger than WORKTALLY_MAX_BODY_BYTES",
        429: "Too many requests",
        500: "Unexpected error",
        503: "Database unavailable (retry after Retry-After seconds)",
    }.items()
}


def api_router(prefix: str = "", *, tags: list[str]) -> APIRouter:
    """A domain's router: ``prefix`` under ``/api/v2``, one transaction per request, D2's errors documented."""
    return APIRouter(
        prefix=API_PREFIX + prefix, tags=list(tags), responses=ERROR_RESPONSES, route_class=TransactionalRoute
    )


def _resource(path: str) -> str:
    """``/api/v2/projects/12`` → ``projects``; ``""`` outside the API."""
    if not path.startswith(API_PREFIX + "/"):
        return ""
    return path[len(API_PREFIX) + 1 :].split("/", 1)[0]


class RouteIndex(BaseRoute):
    """Matches an API request against only the routes that can serve its resource and method.

    Within a bucket the routes keep their declared order, so the first full match is the one a plain scan
    would find. Anything it cannot place (another method, a path it does not know) falls through to the
    app's ordinary routing, which answers 404 or 405 as before.
    """

    def __init__(self, routes: Iterable[APIRoute]) -> None:
        self._buckets: dict[tuple[str, str], list[APIRoute]] = {}
        for route in routes:
            resource = _resource(route.path)
            if not resource or "{" in resource:
                raise ValueError(f"{route.path}: API routes must start with a literal resource under {API_PREFIX}")
            for method in route.methods or ():
                self._buckets.setdefault((method, resource), []).append(route)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):  # as Starlette's routes see it behind a mounted prefix
            path = path[len(root_path) :]
        candidates: Sequence[APIRoute] = self._buckets.get((scope["method"], _resource(path)), ())
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return Match.FULL, child_scope
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: APIRoute = scope["route"]  # set by APIRoute.matches
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # the routes themselves, listed after the index, answer this

    def __repr__(self) -> str:
        return f"RouteIndex({sum(len(b) for b in self._buckets.values())} routes)"


def api_routes(routers: Iterable[APIRouter]) -> list[APIRoute]:
    """Every operation of these routers, flat."""
    return [route for router in routers for route in router.routes if isinstance(route, APIRoute)]


def app_routes(routers: Iterable[APIRouter]) -> list[BaseRoute]:
    """The app's API routes: the index first, then the routes themselves (the OpenAPI document, 404/405)."""
    routes = api_routes(routers)
    return [RouteIndex(routes), *routes]
