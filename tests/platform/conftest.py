"""Platform fixtures: the real app plus a test-only router (``/api/v2/_probe``) that exercises every
status code of D2 without depending on any domain's routes, and apps with a small rate limit (D8)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import select

from tests.conftest import make_settings
from tests.factories import Tenants
from worktally.api.deps import SessionDep, TransactionalRoute, require
from worktally.api.envelope import Envelope, ok
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.core.errors import ConflictError, NotFoundError
from worktally.db.models import Workspace
from worktally.main import create_app

PROBE_SECRET = "probe-secret-detail-3f9a"  # the text of the crash the 500 test provokes


class ThingCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    count: int = Field(ge=0, le=1000)


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=200)


class ThingRead(BaseModel):
    name: str
    count: int


probe_router = APIRouter(prefix="/api/v2/_probe", route_class=TransactionalRoute)


@probe_router.post("/things", status_code=201, response_model=Envelope[ThingRead])
async def create_thing(
    principal: Annotated[Principal, require(Permission.PROJECTS_WRITE)], body: ThingCreate
) -> Envelope[ThingRead]:
    """Create a thing (201), refuse a taken name (409)."""
    if body.name == "taken":
        raise ConflictError("A thing with this name already exists.", code="thing_exists")
    return ok(ThingRead(name=body.name, count=body.count), message="Thing created successfully")


@probe_router.get("/things", response_model=Envelope[list[ThingRead]])
async def list_things(
    principal: Annotated[Principal, require(Permission.PROJECTS_READ_ALL)],
) -> Envelope[list[ThingRead]]:
    """A read in a workspace."""
    return ok([])


@probe_router.get("/workspaces/{workspace_ref}", response_model=Envelope[str])
async def get_workspace_name(
    principal: Annotated[Principal, require()], workspace_ref: int, session: SessionDep
) -> Envelope[str]:
    """A lookup by an integer id straight into the database (PostgreSQL ids are int4)."""
    name = (await session.execute(select(Workspace.name).where(Workspace.id == workspace_ref))).scalar_one_or_none()
    if name is None:
        raise NotFoundError()
    return ok(name)


@probe_router.post("/notes", status_code=201, response_model=Envelope[str])
async def save_note(
    principal: Annotated[Principal, require(Permission.PROJECTS_WRITE)], body: NoteCreate, session: SessionDep
) -> Envelope[str]:
    """Store text in the database (a workspace's name), so that what PostgreSQL refuses is seen."""
    workspace = await session.get_one(Workspace, principal.workspace_id)
    workspace.name = body.text
    await session.flush()
    return ok(body.text)


@probe_router.post("/actions", response_model=Envelope[None])
async def act(principal: Annotated[Principal, require(Permission.PROJECTS_WRITE)]) -> Envelope[None]:
    """An action without a body model: the body is read only for ``workspace_id``."""
    return ok(None, message="Done")


@probe_router.get("/boom")
async def boom(principal: Annotated[Principal, require()]) -> None:
    """Crash."""
    raise RuntimeError(PROBE_SECRET)


async def _started(stack: AsyncExitStack, app: FastAPI) -> httpx.AsyncClient:
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://testserver"))


def probe_app_for(database_url: str, **overrides: Any) -> FastAPI:
    app = create_app(make_settings(database_url, **overrides))
    app.include_router(probe_router)
    return app


@pytest.fixture(scope="session")
async def probe_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncExitStack() as stack:
        app = probe_app_for(database_url)
        client = await _started(stack, app)
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def probe(probe_client: httpx.AsyncClient) -> Tenants:
    """Tenants on the probe app (the real app plus ``/api/v2/_probe``)."""
    return Tenants(probe_client.app.state.sessionmaker, probe_client)  # type: ignore[attr-defined]


LimitedFactory = Callable[[int], Awaitable[Tenants]]


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[LimitedFactory]:
    """``await limited(3)``: tenants on a fresh app allowing 3 requests a minute, counted in process."""
    async with AsyncExitStack() as stack:

        async def make(per_minute: int) -> Tenants:
            app = probe_app_for(database_url, rate_limit_per_minute=per_minute)
            client = await _started(stack, app)
            return Tenants(app.state.sessionmaker, client)

        yield make
