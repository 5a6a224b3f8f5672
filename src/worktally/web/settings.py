"""``/settings/tokens``: personal access tokens (created and shown once, revoked) and OAuth apps (D7),
and ``/settings/password``: a new password, which ends every other browser session of the user (issue #12)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from worktally.api.deps import SessionDep, TransactionalRoute
from worktally.api.fields import valid_id
from worktally.auth.oauth2.clients import CreatedClient, create_client
from worktally.auth.sessions import MIN_PASSWORD_LENGTH, password_problem, set_password
from worktally.auth.tokens import IssuedToken, create_personal_token
from worktally.core.clock import utc_now
from worktally.core.passwords import verify_password
from worktally.db.models import User
from worktally.web import repository
from worktally.web.layout import optional_frame, theme_of
from worktally.web.pages import (
    Form,
    message_page,
    redirect,
    render,
    sign_in_redirect,
    sign_in_session,
    sign_out_session,
    signed_in_user_id,
    submitted_form,
    throttle,
)

router = APIRouter(route_class=TransactionalRoute)

PAT_SCOPES = ("read", "write")
MAX_NAME_LENGTH = 200
MAX_URI_LENGTH = 2000


async def _signed_in_user(request: Request, session: AsyncSession) -> User | None:
    user_id = signed_in_user_id(request)
    user = await repository.get_user(session, user_id) if user_id is not None else None
    if user is None:
        sign_out_session(request)
    return user


async def _posted(request: Request, session: AsyncSession) -> tuple[Form, User] | Response:
    """A form of these pages posted by its signed-in user (CSRF checked), else the answer: the form's refusal,
    or sign-in (then back to the tokens page)."""
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    user = await _signed_in_user(request, session)
    if user is None:
        return redirect("/sign-in?next=/settings/tokens")
    return form, user


async def _page(
    request: Request,
    session: AsyncSession,
    user: User,
    *,
    status_code: int = 200,
    new_token: tuple[str, IssuedToken] | None = None,
    new_client: tuple[str, CreatedClient] | None = None,
    errors: dict[str, list[str]] | None = None,
    password_changed: bool = False,
) -> Response:
    frame = await optional_frame(request, session)  # in the members' layout when they have a workspace
    context: dict[str, Any] = {"frame": frame, "area": "me", "theme": theme_of(request)} if frame else {}
    return render(
        request,
        "tokens.html",
        status_code=status_code,
        **context,
        email=user.email,
        password_changed=password_changed,
        min_password_length=MIN_PASSWORD_LENGTH,
        tokens=await repository.active_tokens(session, user.id, utc_now()),
        clients=await repository.owned_clients(session, user.id),
        new_token={"name": new_token[0], "token": new_token[1].token} if new_token else None,
        new_client=(
            {"name": new_client[0], "client_id": new_client[1].client_id, "client_secret": new_client[1].client_secret}
            if new_client
            else None
        ),
        errors=errors,
    )


def _name(form: Form, errors: dict[str, list[str]]) -> str:
    name = form.get("name").strip()
    if not name:
        errors["name"] = ["The name is required."]
    elif len(name) > MAX_NAME_LENGTH or any(ord(ch) < 32 for ch in name):
        errors["name"] = [f"The name must be at most {MAX_NAME_LENGTH} printable characters."]
    return name


def _redirect_uri(form: Form, errors: dict[str, list[str]]) -> str:
    uri = form.get("redirect_uri").strip()
    try:
        parts = urlsplit(uri)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment
    except ValueError:
        valid = False
    if not valid or len(uri) > MAX_URI_LENGTH or any(ord(ch) <= 32 for ch in uri):
        errors["redirect_uri"] = ["The redirect URI must be an absolute http(s) URL without a fragment."]
    return uri


@router.get("/settings/tokens")
async def tokens_page(request: Request, session: SessionDep) -> Response:
    """Your tokens and OAuth apps."""
    user = await _signed_in_user(request, session)
    if user is None:
        return sign_in_redirect(request)
    return await _page(request, session, user)


@router.post("/settings/tokens")
async def create_token(request: Request, session: SessionDep) -> Response:
    """Create a personal access token; it is shown this once."""
    posted = await _posted(request, session)
    if isinstance(posted, Response):
        return posted
    form, user = posted
    errors: dict[str, list[str]] = {}
    name = _name(form, errors)
    scopes = frozenset(form.getlist("scopes"))
    if not scopes or not scopes <= set(PAT_SCOPES):
        errors["scopes"] = ["Choose read, write or both."]
    if errors:
        return await _page(request, session, user, status_code=422, errors=errors)
    issued = await create_personal_token(session, user_id=user.id, name=name, scopes=scopes)
    return await _page(request, session, user, status_code=201, new_token=(name, issued))


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(token_id: int, request: Request, session: SessionDep) -> Response:
    """Revoke one of your tokens; it stops working at once."""
    posted = await _posted(request, session)
    if isinstance(posted, Response):
        return posted
    _, user = posted
    if not valid_id(token_id) or not await repository.revoke_token(session, user.id, token_id, utc_now()):
        return message_page(
            request,
            "Token not found",
            "There is no such active token.",
            status_code=404,
            link_href="/settings/tokens",
            link_text="Back",
        )
    return redirect("/settings/tokens")


@router.post("/settings/apps")
async def register_app(request: Request, session: SessionDep) -> Response:
    """Register an OAuth app; a confidential app's secret is shown this once."""
    posted = await _posted(request, session)
    if isinstance(posted, Response):
        return posted
    form, user = posted
    errors: dict[str, list[str]] = {}
    name = _name(form, errors)
    redirect_uri = _redirect_uri(form, errors)
    client_type = form.get("client_type") or "confidential"
    if client_type not in ("confidential", "public"):
        errors["client_type"] = ["Choose a confidential or a public client."]
    if errors:
        return await _page(request, session, user, status_code=422, errors=errors)
    created = await create_client(
        session, owner_user_id=user.id, name=name, redirect_uris=[redirect_uri], public=client_type == "public"
    )
    return await _page(request, session, user, status_code=201, new_client=(name, created))


@router.post("/settings/password")
async def change_password(request: Request, session: SessionDep) -> Response:
    """Change your password: every other browser session of yours ends; this one stays signed in."""
    if (throttled := await throttle(request)) is not None:  # D8: it checks a password, like sign-in
        return throttled
    posted = await _posted(request, session)
    if isinstance(posted, Response):
        return posted
    form, user = posted
    errors: dict[str, list[str]] = {}
    if not await run_in_threadpool(verify_password, user.password_hash, form.get("current_password")):
        errors["current_password"] = ["The current password is incorrect."]
    new_password = form.get("new_password")
    if (problem := password_problem(new_password)) is not None:
        errors["new_password"] = [problem]
    elif new_password != form.get("new_password_confirm"):
        errors["new_password_confirm"] = ["The new passwords do not match."]
    if errors:
        return await _page(request, session, user, status_code=422, errors=errors)
    version = await set_password(session, user.id, new_password)
    sign_in_session(request, user.id, session_version=version)  # this browser goes on, with a new CSRF token
    return await _page(request, session, user, password_changed=True)
