"""Where API operations live: the ``/api/v2`` prefix, each domain's router, and finding a request's route.

Every domain declares its operations on ``api_router(...)``: paths under ``/api/v2``, one transaction per
request (``TransactionalRoute``) and the error envelope of D2 documented for each operation.

``create_app`` adds those routes to the app as they are, without nesting routers, and puts a ``RouteIndex``
in front of them: a request is matched only against the operations of its own resource (``/api/v2/projects/…``
against the projects routes), not against all ninety in turn (a measured ~30 % of a small request's time).

A path that exists with other methods only is answered by the index too: 405 with an ``Allow`` header naming
every method the path accepts (D2). Starlette's own fallback would name only the methods of the first route
whose path matches (each method of a path is a route of its own), so ``PATCH /projects/1`` said ``Allow: GET``.
A literal segment wins over a parameter, left to right, as the document reads: ``/expenses/categories`` is the
categories collection (GET, POST), so ``PUT /expenses/categories`` is 405, not an update of an expense whose
id is "categories". Only requests that match no operation, or a template another one shadows, pay for that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
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


# The order the methods of an ``Allow`` header are listed in.
_METHOD_ORDER = {"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}


def allow_header(methods: Iterable[str]) -> str:
    """``GET, PUT, DELETE``: the methods in their usual order."""
    return ", ".join(sorted(set(methods), key=lambda method: (_METHOD_ORDER.get(method, 99), method)))


class MethodNotAllowed(BaseRoute):
    """What the index hands a request whose path exists, but not with its method: 405 and ``Allow`` (D2)."""

    def __init__(self, methods: Iterable[str]) -> None:
        self.allow = allow_header(methods)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:  # pragma: no cover - only ever chosen by the index
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(status_code=405, headers={"Allow": self.allow})

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


class NotFound(BaseRoute):
    """What the index hands a request for an API path that no resource can have (a NUL in an id): 404."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:  # pragma: no cover - only ever chosen by the index
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(status_code=404)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


@dataclass(eq=False)
class _Template:
    """One path template of the API and the routes (one per method) that serve it."""

    path: str
    regex: re.Pattern[str]
    routes: dict[str, APIRoute] = field(default_factory=dict)

    @property
    def segments(self) -> list[str]:
        return self.path[len(API_PREFIX) + 1 :].split("/")

    @property
    def specificity(self) -> tuple[int, ...]:
        """Smaller is more specific: a literal segment (0) wins over a parameter (1), left to right."""
        return tuple(1 if "{" in segment else 0 for segment in self.segments)

    def overlaps(self, other: _Template) -> bool:
        """Some concrete path fits both templates."""
        mine, theirs = self.segments, other.segments
        return len(mine) == len(theirs) and all(
            a == b or "{" in a or "{" in b for a, b in zip(mine, theirs, strict=True)
        )


def _resource(path: str) -> str:
    """``/api/v2/projects/12`` → ``projects``; ``""`` outside the API."""
    if not path.startswith(API_PREFIX + "/"):
        return ""
    return path[len(API_PREFIX) + 1 :].split("/", 1)[0]


class RouteIndex(BaseRoute):
    """Matches an API request against only the routes that can serve its resource and method.

    Within a bucket the routes keep their declared order, so the first full match is the one a plain scan
    would find, unless a more specific template fits the path too (a literal where the match has a
    parameter): that template serves it. A path of a known resource that no route serves with the request's
    method is answered 405 with the methods of its most specific template (``MethodNotAllowed``); anything
    else it cannot place (a path it does not know, outside the API) falls through to the app's ordinary
    routing, which answers 404.
    """

    def __init__(self, routes: Iterable[APIRoute]) -> None:
        self._buckets: dict[tuple[str, str], list[APIRoute]] = {}
        templates: dict[str, _Template] = {}
        for route in routes:
            resource = _resource(route.path)
            if not resource or "{" in resource:
                raise ValueError(f"{route.path}: API routes must start with a literal resource under {API_PREFIX}")
            template = templates.setdefault(route.path, _Template(route.path, route.path_regex))
            for method in route.methods or ():
                self._buckets.setdefault((method, resource), []).append(route)
                template.routes.setdefault(method, route)
        # Per resource, the most specific template first; per template, the more specific ones that overlap it.
        self._templates: dict[str, list[_Template]] = {}
        for template in sorted(templates.values(), key=lambda t: t.specificity):
            self._templates.setdefault(_resource(template.path), []).append(template)
        self._shadowed_by: dict[str, tuple[_Template, ...]] = {}
        for group in self._templates.values():
            for template in group:
                shadows = tuple(
                    other for other in group if other.specificity < template.specificity and other.overlaps(template)
                )
                if shadows:
                    self._shadowed_by[template.path] = shadows
        self._not_allowed: dict[str, MethodNotAllowed] = {
            t.path: MethodNotAllowed(t.routes) for t in templates.values()
        }
        self._not_found = NotFound()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):  # as Starlette's routes see it behind a mounted prefix
            path = path[len(root_path) :]
        resource = _resource(path)
        if "\x00" in path and resource:
            # No id has a NUL: 404 on either database (PostgreSQL could not even compare it, SQLite finds no row).
            return Match.FULL, {"route": self._not_found}
        candidates: Sequence[APIRoute] = self._buckets.get((scope["method"], resource), ())
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                shadows = self._shadowed_by.get(route.path)  # empty for all but a few templates
                if shadows:
                    for template in shadows:
                        if template.regex.match(path):
                            return self._serve(template, scope)
                return Match.FULL, child_scope
        for template in self._templates.get(resource, ()):
            if template.regex.match(path):
                return self._serve(template, scope)
        return Match.NONE, {}

    def _serve(self, template: _Template, scope: Scope) -> tuple[Match, Scope]:
        """The template's route for the request's method; else 405 naming the template's methods (D2)."""
        route = template.routes.get(scope["method"])
        if route is not None:
            return route.matches(scope)
        return Match.FULL, {"route": self._not_allowed[template.path]}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: APIRoute | MethodNotAllowed | NotFound = scope["route"]  # set by APIRoute.matches, or by _serve
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
