"""Helpers for the OAuth2 and browser-page tests: PKCE pairs, clients, a cookie-keeping HTTP client
that signs in through the real form, and the authorization-code dance up to the code."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories.workspace import unique_email
from worktally.auth.oauth2.clients import CreatedClient, create_client
from worktally.core.clock import utc_now
from worktally.db.models import Invitation, Membership
from worktally.member.invitations import create_invitation
from worktally.workspace.bootstrap import create_user

REDIRECT_URI = "http://127.0.0.1:9/callback"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def register_client(
    sessionmaker: async_sessionmaker[AsyncSession],
    owner_user_id: int,
    *,
    public: bool = True,
    redirect_uri: str = REDIRECT_URI,
) -> CreatedClient:
    async with sessionmaker() as session, session.begin():
        return await create_client(
            session, owner_user_id=owner_user_id, name="Test App", redirect_uris=[redirect_uri], public=public
        )


@dataclass
class Invited:
    user_id: int
    email: str
    token: str


async def invite_member(sessionmaker: async_sessionmaker[AsyncSession], workspace_id: int) -> Invited:
    """An inactive member without a password and a pending invitation for them (D12)."""
    async with sessionmaker() as session, session.begin():
        email = unique_email("invited")
        user = await create_user(session, email=email, firstname="Ivy", lastname="Invited", password=None)
        session.add(Membership(workspace_id=workspace_id, user_id=user.id, role="Regular User", status="inactive"))
        await session.flush()
        issued = await create_invitation(
            session, workspace_id=workspace_id, user_id=user.id, public_url="http://testserver"
        )
    return Invited(user_id=user.id, email=email, token=issued.token)


async def expire_invitations(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Invitation).where(Invitation.user_id == user_id).values(expires_at=utc_now() - timedelta(seconds=1))
        )


async def sign_in(http: httpx.AsyncClient, email: str, password: str = "pw", next_url: str = "") -> httpx.Response:
    page = await http.get("/sign-in")
    return await http.post(
        "/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password, "next": next_url},
    )


def authorize_params(client_id: str, challenge: str | None, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "read write",
        "state": "xyz-state",
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return params | extra


async def approve(http: httpx.AsyncClient, params: dict[str, str], decision: str = "approve") -> httpx.Response:
    """Consent page → approve/deny; returns the redirect back to the client."""
    page = await http.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    return await http.post(
        "/oauth/authorize", params=params, data={"csrf_token": csrf_of(page.text), "decision": decision}
    )


async def obtain_code(http: httpx.AsyncClient, client_id: str, challenge: str | None, **extra: str) -> str:
    response = await approve(http, authorize_params(client_id, challenge, **extra))
    assert response.status_code == 302, response.text
    return query_of(response.headers["location"])["code"]


async def exchange(http: httpx.AsyncClient, *, auth: tuple[str, str] | None = None, **form: Any) -> httpx.Response:
    data = {"redirect_uri": REDIRECT_URI, "grant_type": "authorization_code", **form}
    if auth is None:
        return await http.post("/oauth/token", data=data)
    return await http.post("/oauth/token", data=data, auth=auth)
