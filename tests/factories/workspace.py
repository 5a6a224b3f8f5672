from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worktally.auth.tokens import create_personal_token
from worktally.core.clock import utc_now
from worktally.core.passwords import hash_password
from worktally.db.models import Membership
from worktally.workspace.bootstrap import create_user, create_workspace

_counter = itertools.count(1)

TEST_PASSWORD = "pw"
# argon2 is deliberately slow; hash the factories' password once per run, not once per user.
TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{next(_counter)}-{secrets.token_hex(4)}@example.test"


@dataclass
class ApiClient:
    """Calls the API as one token, adding ``workspace_id`` to the query unless told otherwise."""

    http: httpx.AsyncClient
    token: str
    workspace_id: int | None

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def _params(self, params: dict[str, Any] | None, with_workspace: bool) -> dict[str, Any]:
        merged = dict(params or {})
        if with_workspace and self.workspace_id is not None and "workspace_id" not in merged:
            merged["workspace_id"] = self.workspace_id
        return merged

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        with_workspace: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        url = path
        if not url.startswith("/api/v2") and not url.startswith("/oauth") and not url.startswith("/."):
            url = "/api/v2" + (url if url.startswith("/") else "/" + url)
        return await self.http.request(
            method,
            url,
            params=self._params(params, with_workspace),
            json=json,
            headers=self._headers(headers),
            **kwargs,
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


@dataclass
class Member:
    user_id: int
    email: str
    role: str
    token: str
    api: ApiClient
    firstname: str = "Test"
    lastname: str = "User"


@dataclass
class WorkspaceFixture:
    id: int
    owner: Member
    tenants: Tenants
    members: list[Member] = field(default_factory=list)

    async def member(
        self,
        role: str = "Regular User",
        *,
        scopes: frozenset[str] = frozenset({"read", "write"}),
        timezone: str | None = None,
        rate_status: int = 0,
        firstname: str = "Test",
        lastname: str = "User",
        status: str = "active",
    ) -> Member:
        """An active member of this workspace with a token of their own."""
        async with self.tenants.sessionmaker() as session, session.begin():
            email = unique_email(role.split()[0].lower())
            user = await create_user(session, email=email, firstname=firstname, lastname=lastname, password=None)
            user.password_hash = TEST_PASSWORD_HASH
            session.add(
                Membership(
                    workspace_id=self.id,
                    user_id=user.id,
                    role=role,
                    status=status,
                    timezone=timezone,
                    rate_status=rate_status,
                    activated_at=utc_now(),
                )
            )
            issued = await create_personal_token(session, user_id=user.id, name="test", scopes=scopes)
        member = Member(
            user_id=user.id,
            email=email,
            role=role,
            token=issued.token,
            api=ApiClient(self.tenants.http, issued.token, self.id),
            firstname=firstname,
            lastname=lastname,
        )
        self.members.append(member)
        return member

    async def token_for(self, member: Member, scopes: frozenset[str]) -> ApiClient:
        """Another token for ``member`` with these scopes."""
        async with self.tenants.sessionmaker() as session, session.begin():
            issued = await create_personal_token(session, user_id=member.user_id, name="scoped", scopes=scopes)
        return ApiClient(self.tenants.http, issued.token, self.id)


@dataclass
class Tenants:
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient

    async def workspace(self, *, name: str = "Test Workspace", timezone: str = "UTC") -> WorkspaceFixture:
        """A new workspace whose owner has a read+write token."""
        async with self.sessionmaker() as session, session.begin():
            email = unique_email("owner")
            owner = await create_user(session, email=email, firstname="Olivia", lastname="Owner", password=None)
            owner.password_hash = TEST_PASSWORD_HASH
            workspace = await create_workspace(session, owner=owner, name=name, timezone=timezone)
            issued = await create_personal_token(session, user_id=owner.id, name="test")
        member = Member(
            user_id=owner.id,
            email=email,
            role="Owner",
            token=issued.token,
            api=ApiClient(self.http, issued.token, workspace.id),
            firstname="Olivia",
            lastname="Owner",
        )
        return WorkspaceFixture(id=workspace.id, owner=member, tenants=self)
