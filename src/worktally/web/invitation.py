"""``/accept-invitation/{token}`` (D7, D12): the invited member chooses a password and becomes active."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep, TransactionalRoute
from worktally.member import invitations
from worktally.member.invitations import PendingInvitation
from worktally.web import repository
from worktally.web.members import activated_member
from worktally.web.pages import (
    Form,
    message_page,
    render,
    submitted_form,
    throttle,
)
from worktally.webhook.events import record_event

router = APIRouter(route_class=TransactionalRoute)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything; this only bounds the work per request
MAX_NAME_LENGTH = 100


def _not_found(request: Request) -> Response:
    return message_page(
        request,
        "Invitation not found",
        "This invitation link is not valid: it may have expired or already been used. "
        "Ask your workspace administrator for a new invitation.",
        status_code=404,
    )


def _validate(form: Form) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    password = form.get("password")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"The password must be at least {MIN_PASSWORD_LENGTH} characters."]
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = [f"The password must be at most {MAX_PASSWORD_LENGTH} characters."]
    for field, label in (("firstname", "first name"), ("lastname", "last name")):
        value = form.get(field).strip()
        if len(value) > MAX_NAME_LENGTH:
            errors[field] = [f"The {label} must be at most {MAX_NAME_LENGTH} characters."]
        elif any(ord(ch) < 32 for ch in value):
            errors[field] = [f"The {label} contains characters that are not allowed."]
    return errors


async def _form_page(
    request: Request,
    session: AsyncSession,
    token: str,
    invitation: PendingInvitation,
    *,
    form: Form | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    return render(
        request,
        "accept_invitation.html",
        status_code=422 if errors else 200,
        token=token,
        invitation=invitation,
        workspace_name=await repository.workspace_name(session, invitation.workspace_id),
        firstname=(form.get("firstname") if form else invitation.firstname)[:MAX_NAME_LENGTH],
        lastname=(form.get("lastname") if form else invitation.lastname)[:MAX_NAME_LENGTH],
        errors=errors,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


@router.get("/accept-invitation/{token}")
async def invitation_page(token: str, request: Request, session: SessionDep) -> Response:
    """The invitation form: choose a password (and, optionally, your names)."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    invitation = await invitations.find_pending(session, token)
    if invitation is None:
        return _not_found(request)
    return await _form_page(request, session, token, invitation)


@router.post("/accept-invitation/{token}")
async def accept_invitation(token: str, request: Request, session: SessionDep) -> Response:
    """Set the password and activate the membership; the invitation is used up."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    invitation = await invitations.find_pending(session, token)
    if invitation is None:
        return _not_found(request)
    errors = _validate(form)
    if errors:
        return await _form_page(request, session, token, invitation, form=form, errors=errors)
    await invitations.accept(
        session,
        invitation,
        password=form.get("password"),
        firstname=form.get("firstname").strip() or None,
        lastname=form.get("lastname").strip() or None,
    )
    member = await activated_member(session, invitation.workspace_id, invitation.user_id)
    if member is not None:
        await record_event(session, workspace_id=invitation.workspace_id, type="member.activated", data=member)
    return message_page(
        request,
        "Welcome to Worktally",
        f"Your account {invitation.email} is active. You can now sign in.",
        link_href="/sign-in",
        link_text="Sign in",
    )
