"""Me (``/me``): name and timezone (every time on every page is shown in it, D9), password, API access,
the workspace switcher, the theme, sign-out."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.core.errors import AppError, NotFoundError
from worktally.web import repository
from worktally.web.layout import (
    Frame,
    PageExit,
    WebRoute,
    choose_workspace,
    error_status,
    flash,
    form_errors,
    member_frame,
    member_workspaces,
    page,
    posted,
    set_theme,
)
from worktally.web.me import account
from worktally.web.pages import Form, redirect, safe_next, sign_in_session, signed_in_user_id, submitted_form

router = APIRouter(route_class=WebRoute)


@lru_cache(maxsize=1)
def timezones() -> list[str]:
    return sorted(available_timezones())


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    failed: str = "",
) -> Response:
    user = await repository.get_user(session, frame.principal.user_id)
    assert user is not None
    membership_tz = await _own_timezone(session, frame)
    defaults = {"firstname": user.firstname, "lastname": user.lastname, "timezone": membership_tz or ""}
    return page(
        request,
        "me.html",
        frame,
        status_code=status_code,
        area="me",
        errors=errors or {},
        values={**defaults, **(values or {})},
        timezones=timezones(),
        workspace_timezone=None if membership_tz else frame.principal.timezone,
        failed=failed,
    )


async def _own_timezone(session: AsyncSession, frame: Frame) -> str | None:
    from worktally.member import repository as members

    membership = await members.get_membership(session, frame.principal.workspace_id, frame.principal.user_id)
    return membership.timezone if membership is not None else None


@router.get("/me")
async def me_page(request: Request, session: SessionDep) -> Response:
    """The member's own settings."""
    frame = await member_frame(request, session)
    return await _render(request, session, frame)


@router.post("/me/profile")
async def update_profile(request: Request, session: SessionDep) -> Response:
    """Change one's name and timezone."""
    frame, form = await posted(request, session)
    try:
        body = account.ProfileUpdate(
            firstname=form.get("firstname"), lastname=form.get("lastname"), timezone=form.get("timezone") or None
        )
        await account.update_profile(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        values = {k: v for k, v in form.items if k != "csrf_token"}
        return await _render(
            request,
            session,
            frame,
            status_code=error_status(request, exc),
            errors=errors,
            values=values,
            failed="profile",
        )
    flash(request, "Your profile was saved.")
    return redirect("/me")


@router.post("/me/password")
async def change_password(request: Request, session: SessionDep) -> Response:
    """Change one's password (the current one first)."""
    frame, form = await posted(request, session)
    try:
        version = await account.change_password(
            session,
            frame.principal.user_id,
            current=form.get("current_password"),
            new=form.get("new_password"),
            repeat=form.get("repeat_password"),
        )
    except AppError as exc:
        errors = form_errors(exc)
        await session.rollback()
        return await _render(
            request, session, frame, status_code=error_status(request, exc), errors=errors, failed="password"
        )
    sign_in_session(request, frame.principal.user_id, session_version=version)  # this browser goes on; others end
    flash(request, "Your password was changed.")
    return redirect("/me")


@router.post("/workspace")
async def switch_workspace(request: Request, session: SessionDep) -> Response:
    """Work in another of one's workspaces; an id that is not one of them is not found."""
    frame, form = await posted(request, session)
    raw = form.get("workspace_id")
    chosen = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else 0
    options = await member_workspaces(request, frame.principal.user_id)
    if not any(w.id == chosen for w in options):
        raise NotFoundError("Workspace not found.")
    choose_workspace(request, chosen)
    target = safe_next(form.get("next"))
    return redirect(target if not target.startswith(("/entries/", "/expenses/")) else "/")


@router.post("/theme")
async def choose_theme(request: Request) -> Response:
    """Light, dark, or the system's (``prefers-color-scheme``); kept in the session."""
    if signed_in_user_id(request) is None:
        return redirect("/sign-in")
    form = await submitted_form(request)
    if not isinstance(form, Form):
        raise PageExit(form)
    set_theme(request, form.get("theme"))
    return redirect(safe_next(form.get("next")))
