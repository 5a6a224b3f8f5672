"""Dependencies shared by every router: the request's session, the caller, the workspace (D3, D7)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2AuthorizationCodeBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.rate_limit import RateLimiter, remember
from worktally.auth.permissions import Permission, Role, scopes_allow
from worktally.auth.principal import Identity, Principal
from worktally.auth.tokens import identify
from worktally.config import Settings
from worktally.core.errors import BadRequestError, ForbiddenError, UnauthenticatedError
from worktally.db.models import Membership, Workspace

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TransactionalRoute(APIRoute):
    """One transaction per request: commit when the handler returns, roll back when it raises.

    The session is opened lazily by ``get_session`` and committed here, before the response is sent,
    so a client never sees a success for a change that was not stored.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
                session: AsyncSession | None = getattr(request.state, "db", None)
                if session is not None:
                    await session.commit()
                return response
            except BaseException:
                session = getattr(request.state, "db", None)
                if session is not None:
                    await session.rollback()
                raise
            finally:
                session = getattr(request.state, "db", None)
                if session is not None:
                    request.state.db = None
                    await session.close()

        return route


async def get_session(request: Request) -> AsyncSession:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, a hop per request.
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.sessionmaker()
        request.state.db = session
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def settings_of(request: Request) -> Settings:
    """The settings the app was created with (``create_app(settings)``)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


# Documents the bearer scheme in the OpenAPI document; both kinds of token use it (D7).
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A personal access token (`wtp_…`) or an OAuth2 access token (`wta_…`).",
)

# The same header, documented as the catalogue does ("oauth2 or apiKey"): OAuth2 clients find the flow here.
oauth2_scheme = OAuth2AuthorizationCodeBearer(
    authorizationUrl="/oauth/authorize",
    tokenUrl="/oauth/token",
    refreshUrl="/oauth/token",
    scopes={"read": "Read access", "write": "Create, change and delete", "admin": "read and write"},
    scheme_name="oauth2",
    auto_error=False,
)


async def authenticate(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    _oauth2: Annotated[str | None, Security(oauth2_scheme)],
) -> Identity:
    """The bearer token's identity; counts the request against the caller's limit (D7, D8)."""
    limiter = rate_limiter(request)
    token = credentials.credentials.strip() if credentials else ""
    identity = await identify(session, token) if token else None
    if identity is None:
        remember(request.scope.setdefault("state", {}), await limiter.hit_address(client_address(request)))
        raise UnauthenticatedError(headers={"WWW-Authenticate": "Bearer"})
    remember(request.scope.setdefault("state", {}), await limiter.hit_user(identity.user_id))
    return identity


IdentityDep = Annotated[Identity, Depends(authenticate)]


def _scope_for(method: str) -> str:
    return "read" if method in _READ_METHODS else "write"


def check_scope(identity: Identity, method: str) -> None:
    needed = _scope_for(method)
    if not scopes_allow(identity.scopes, needed):
        raise ForbiddenError(f"This token lacks the '{needed}' scope.", code="insufficient_scope")


def _as_workspace_id(value: Any) -> int:
    if isinstance(value, bool):
        raise BadRequestError("workspace_id must be an integer.", code="invalid_workspace_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise BadRequestError("workspace_id must be an integer.", code="invalid_workspace_id")


async def workspace_id_from_request(
    request: Request,
    workspace_id: Annotated[
        int | None, Query(description="The workspace (from GET /workspaces); may also be given in the JSON body.")
    ] = None,
) -> int:
    """D3: ``workspace_id`` from the query string or the JSON body; both given must agree."""
    from_body: int | None = None
    if request.method not in _READ_METHODS:
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON (D2: never a 500)
                body = None
            if isinstance(body, dict) and body.get("workspace_id") is not None:
                from_body = _as_workspace_id(body["workspace_id"])
    if workspace_id is not None and from_body is not None and workspace_id != from_body:
        raise BadRequestError("workspace_id was given twice with different values.", code="workspace_id_conflict")
    resolved = workspace_id if workspace_id is not None else from_body
    if resolved is None:
        raise BadRequestError("workspace_id is required", code="workspace_id_required")
    if not 0 < resolved < 2**63:
        raise ForbiddenError("You are not a member of this workspace.", code="not_a_member")
    return resolved


WorkspaceIdDep = Annotated[int, Depends(workspace_id_from_request)]


async def load_principal(session: AsyncSession, identity: Identity, workspace_id: int) -> Principal:
    row = (
        await session.execute(
            select(
                Membership.role,
                Membership.rate_status,
                Membership.timezone,
                Workspace.owner_id,
                Workspace.timezone.label("workspace_timezone"),
            )
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(
                Membership.workspace_id == workspace_id,
                Membership.user_id == identity.user_id,
                Membership.status == "active",
                Workspace.status == "active",
            )
        )
    ).first()
    if row is None:
        raise ForbiddenError("You are not a member of this workspace.", code="not_a_member")
    return Principal(
        identity=identity,
        workspace_id=workspace_id,
        role=Role(row.role),
        workspace_owner_id=row.owner_id,
        rate_status=row.rate_status,
        timezone=row.timezone or row.workspace_timezone,
    )


def require(*permissions: Permission) -> Any:
    """A dependency: the caller, in the requested workspace, holding one of ``permissions``.

    Checks, in order: token (401), scope for the HTTP method (403), membership (403), role (403).
    """

    async def dependency(
        request: Request, identity: IdentityDep, workspace_id: WorkspaceIdDep, session: SessionDep
    ) -> Principal:
        check_scope(identity, request.method)
        principal = await load_principal(session, identity, workspace_id)
        if permissions and not principal.can_any(permissions):
            raise ForbiddenError("Your role does not allow this action.", code="role_forbidden")
        return principal

    return Depends(dependency)


def require_identity() -> Any:
    """A dependency for operations outside any workspace (``GET /workspaces``)."""

    async def dependency(request: Request, identity: IdentityDep) -> Identity:
        check_scope(identity, request.method)
        return identity

    return Depends(dependency)
