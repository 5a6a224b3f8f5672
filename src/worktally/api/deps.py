"""Dependencies shared by every router: the request's session, the caller, the workspace (D3, D7)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.api.rate_limit import RateLimiter, remember
from worktally.auth.permissions import Permission, Role, scopes_allow
from worktally.auth.principal import Identity, Principal
from worktally.auth.token_repository import MEMBERSHIP_COLUMNS
from worktally.auth.tokens import Caller, identify
from worktally.config import Settings
from worktally.core.clock import utc_now
from worktally.core.errors import BadRequestError, ForbiddenError, InvalidWorkspaceIdError, UnauthenticatedError
from worktally.core.logs import LOG_USER_ID, LOG_WORKSPACE_ID
from worktally.db.models import Membership, Workspace
from worktally.db.prepared import PreparedRead, RequestDb
from worktally.db.session import is_lock_conflict, reads_deferred
from worktally.idempotency import flow as idempotency
from worktally.idempotency.repository import ANSWER_COLUMNS, ANSWER_TABLE, answer_join

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_DB_KEY = "worktally.db"  # the request's RequestDb, in the ASGI scope
KEYED_WRITE = "worktally.keyed_write"  # the request's idempotency.KeyedWrite (D18): require() claims the key


def _not_json(constant: str) -> Any:
    raise json.JSONDecodeError(f"{constant} is not JSON (RFC 8259 has no such number)", constant, 0)


class StrictJsonRequest(Request):
    """A request whose JSON body is JSON as RFC 8259 says: Python's decoder also reads ``NaN``, ``Infinity``
    and ``-Infinity``, which are not, and which D2 refuses as any other undecodable body (400 ``invalid_json``)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_constant=_not_json)
        return self._json


class TransactionalRoute(APIRoute):
    """One transaction per request: commit when the handler returns, roll back when it raises.

    The request's ``RequestDb`` opens its session lazily (``get_session``) and is finished here, before the
    response is sent, so a client never sees a success for a change that was not stored.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            request = StrictJsonRequest(request.scope, request.receive)  # a wrapper: costs no parse nor read
            if request.method not in _READ_METHODS or request.app.state.engine.dialect.name != "sqlite":
                return await transaction(request)
            try:
                with reads_deferred():  # SQLite: a read never waits for a writer, nor a writer for it
                    return await transaction(request)
            except DBAPIError as error:
                if not is_lock_conflict(error):
                    raise
            # A read that turned out to write (a token's last use, a timesheet period listed into being) met
            # another writer's commit: nothing of it was kept; it runs again with the write lock up front.
            return await transaction(request)

        async def transaction(request: Request) -> Response:
            keyed = None
            if idempotency.HEADER in request.headers:  # D18: nothing to do, and no cost, without the header
                keyed = await idempotency.begin(request, request_db, settings_of(request).idempotency_ttl_hours)
                request.scope[KEYED_WRITE] = keyed
            try:
                response = await handler(request)
                if keyed is not None:
                    await keyed.finish(response)
            except BaseException as error:
                db: RequestDb | None = request.scope.pop(_DB_KEY, None)
                if db is not None:
                    await db.finish(commit=False)
                if keyed is not None and isinstance(error, idempotency.Replay):
                    return await keyed.replayed(error, request.app.state.sessionmaker)
                if keyed is not None and idempotency.is_refusal(error):
                    replayed = await keyed.after_refusal(request.app.state.sessionmaker)
                    if replayed is not None:
                        return replayed
                raise
            db = request.scope.pop(_DB_KEY, None)
            if db is not None:
                await db.finish(commit=True)
            return response

        return route


def request_db(request: Request) -> RequestDb:
    """This request's database (created on first use; finished by ``TransactionalRoute``)."""
    scope = request.scope
    db: RequestDb | None = scope.get(_DB_KEY)
    if db is None:
        state = request.app.state
        db = scope[_DB_KEY] = RequestDb(state.sessionmaker, state.read_pool, state.sqlite)
    return db


async def get_session(request: Request) -> AsyncSession:
    return await request_db(request).session()


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


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <token>`` (either kind, D7); empty when there is none.

    Read directly rather than through FastAPI's security classes: each dependency costs on every request.
    The schemes are documented in the OpenAPI document by ``api/openapi.py``.
    """
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _plain_int(raw: str) -> int | None:
    """``raw`` as an int when it is nothing but ASCII digits (at most 18), else None."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _workspace_hint(request: Request) -> int | None:
    """The query's ``workspace_id`` when it is a plain id, so that the token lookup can read the membership too."""
    raw = request.query_params.get("workspace_id")
    value = _plain_int(raw) if raw is not None else None
    if value is None:
        return None
    return value if valid_id(value) else None  # past MAX_ID the column cannot even compare it


async def authenticate(request: Request) -> Caller:
    """The bearer token's caller; counts the request against the caller's limit (D7, D8)."""
    limiter = rate_limiter(request)
    token = bearer_token(request)
    keyed: idempotency.KeyedWrite | None = request.scope.get(KEYED_WRITE)
    caller = (
        await identify(
            request_db(request),
            token,
            _workspace_hint(request),
            idempotency_key=keyed.key if keyed is not None else None,
        )
        if token
        else None
    )
    if caller is None:
        remember(request.scope.setdefault("state", {}), await limiter.hit_address(client_address(request)))
        raise UnauthenticatedError(headers={"WWW-Authenticate": "Bearer"})
    remember(request.scope.setdefault("state", {}), await limiter.hit_user(caller.identity.user_id))
    request.scope["state"][LOG_USER_ID] = caller.identity.user_id
    return caller


def _scope_for(method: str) -> str:
    return "read" if method in _READ_METHODS else "write"


def check_scope(identity: Identity, method: str) -> None:
    needed = _scope_for(method)
    if not scopes_allow(identity.scopes, needed):
        raise ForbiddenError(f"This token lacks the '{needed}' scope.", code="insufficient_scope")


WORKSPACE_ID_DESCRIPTION = "The workspace (from GET /workspaces); may also be given in the JSON body."
_QUERY_WORKSPACE_ID: TypeAdapter[int | None] = TypeAdapter(int | None)  # what a declared query parameter accepts


def _as_workspace_id(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidWorkspaceIdError()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidWorkspaceIdError()


_WORKSPACE_ID_KEY = "workspace_id"


def _query_workspace_id(raw: str) -> int:
    # Plain digits, the usual form, are read directly: what the validator would answer, for less.
    value = _plain_int(raw)
    if value is None:
        try:
            value = _QUERY_WORKSPACE_ID.validate_python(raw)
        except PydanticValidationError:
            raise InvalidWorkspaceIdError() from None
    if value is None:
        raise InvalidWorkspaceIdError()
    return value


def _workspace_id_conflict() -> BadRequestError:
    return BadRequestError("workspace_id was given twice with different values.", code="workspace_id_conflict")


def _body_workspace_ids(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: refuses an object that names ``workspace_id`` twice with two values (D2)."""
    seen = [_as_workspace_id(value) for key, value in pairs if key == _WORKSPACE_ID_KEY and value is not None]
    if len(set(seen)) > 1:
        raise _workspace_id_conflict()
    return dict(pairs)


async def workspace_id_from_request(request: Request) -> int:
    """D3: ``workspace_id`` from the query string or the JSON body; every one given must agree (D2: else 400).

    Read here rather than declared as a parameter, so that ``require`` is a single dependency (each costs on
    every request); ``api/openapi.py`` documents the query parameter on every operation that reads it.
    """
    workspace_id: int | None = None
    given = request.query_params.getlist(_WORKSPACE_ID_KEY)
    if given:
        workspace_id = _query_workspace_id(given[-1])
        if len(given) > 1 and any(_query_workspace_id(raw) != workspace_id for raw in given):
            raise _workspace_id_conflict()
    from_body: int | None = None
    if request.method not in _READ_METHODS:
        raw = await request.body()
        if raw:
            # A body that names workspace_id more than once is read with a hook that compares the values;
            # the usual body, with one, costs one byte scan more.
            hook = _body_workspace_ids if raw.count(b'"workspace_id"') > 1 else None
            try:
                body = json.loads(raw, object_pairs_hook=hook)
            except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON (D2: never a 500)
                body = None
            if isinstance(body, dict) and body.get("workspace_id") is not None:
                from_body = _as_workspace_id(body["workspace_id"])
    if workspace_id is not None and from_body is not None and workspace_id != from_body:
        raise _workspace_id_conflict()
    resolved = workspace_id if workspace_id is not None else from_body
    if resolved is None:
        raise BadRequestError("workspace_id is required", code="workspace_id_required")
    if not valid_id(resolved):  # no workspace has such an id
        raise ForbiddenError("You are not a member of this workspace.", code="not_a_member")
    return resolved


def _membership_statement(*, keyed: bool) -> PreparedRead:
    statement = select(*MEMBERSHIP_COLUMNS, *(ANSWER_COLUMNS if keyed else ())).join(
        Workspace, Workspace.id == Membership.workspace_id
    )
    if keyed:  # D18: the answer stored for the write's key comes along (parameters idem_caller, idem_key)
        statement = statement.outerjoin(ANSWER_TABLE, answer_join(bindparam("idem_caller")))
    return PreparedRead(
        statement.where(
            Membership.workspace_id == bindparam("workspace_id"),
            Membership.user_id == bindparam("user_id"),
            Membership.status == "active",
            Workspace.status == "active",
        )
    )


_MEMBERSHIP = _membership_statement(keyed=False)
_MEMBERSHIP_KEYED = _membership_statement(keyed=True)


async def load_principal(
    db: RequestDb, caller: Caller, workspace_id: int, keyed: idempotency.KeyedWrite | None = None
) -> Principal:
    """The caller as a member of ``workspace_id``; 403 if they are not an active member of an active workspace.

    For a keyed write (D18) the statement that reads the membership also reads the key's stored answer, and
    hands it to ``keyed``.
    """
    identity = caller.identity
    if caller.workspace_id == workspace_id:
        row = caller.membership  # read with the token
        if keyed is not None and caller.key_read:
            keyed.prefetched(workspace_id, caller.key_answer)
    elif keyed is not None:
        row = await _MEMBERSHIP_KEYED.first(
            db,
            workspace_id=workspace_id,
            user_id=identity.user_id,
            idem_caller=idempotency.caller_of(identity),
            idem_key=keyed.key,
            now=utc_now(),
        )
        if row is not None:
            keyed.prefetched(workspace_id, idempotency.answer_of(row))
    else:
        row = await _MEMBERSHIP.first(db, workspace_id=workspace_id, user_id=identity.user_id)
    if row is None:
        raise ForbiddenError("You are not a member of this workspace.", code="not_a_member")
    return Principal(
        identity=identity,
        workspace_id=workspace_id,
        role=Role(row["role"]),
        workspace_owner_id=row["owner_id"],
        rate_status=row["rate_status"],
        timezone=row["timezone"] or row["workspace_timezone"],
    )


def require(*permissions: Permission) -> Any:
    """A dependency: the caller, in the requested workspace, holding one of ``permissions``.

    Checks, in order: token (401), scope for the HTTP method (403), membership (403), role (403).
    """

    async def dependency(request: Request) -> Principal:
        caller = await authenticate(request)
        workspace_id = await workspace_id_from_request(request)
        request.scope["state"][LOG_WORKSPACE_ID] = workspace_id
        check_scope(caller.identity, request.method)
        keyed: idempotency.KeyedWrite | None = request.scope.get(KEYED_WRITE)
        principal = await load_principal(request_db(request), caller, workspace_id, keyed)
        if permissions and not principal.can_any(permissions):
            raise ForbiddenError("Your role does not allow this action.", code="role_forbidden")
        if keyed is not None:
            await keyed.claim(principal)
        return principal

    dependency.reads_workspace_id = True  # type: ignore[attr-defined]  # api/openapi.py documents the parameter
    return Depends(dependency)


def require_identity() -> Any:
    """A dependency for operations outside any workspace (``GET /workspaces``)."""

    async def dependency(request: Request) -> Identity:
        caller = await authenticate(request)
        check_scope(caller.identity, request.method)
        return caller.identity

    return Depends(dependency)
