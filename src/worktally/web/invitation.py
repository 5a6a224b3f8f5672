"""``/accept-invitation/{token}`` (D7, D12): the invited member becomes active.

Two kinds of invitee (``member.invitations``):

- an account without a password (new, created by the invitation): the page asks for its first password;
- an account that has a password (already a member elsewhere, even an owner): the page never asks for or
  sets a password. Its owner accepts by being signed in as that very account, signing in first if needed;
  a browser signed in as anybody else is refused, and nothing is changed (issue #12).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep, TransactionalRoute
from worktally.auth.sessions import MIN_PASSWORD_LENGTH, password_problem
from worktally.member import invitations
from worktally.member import service as members
from worktally.member.invitations import InvitationRefused, PendingInvitation
from worktally.web import repository
from worktally.web.pages import (
    Form,
    message_page,
    render,
    signed_in_user_id,
    submitted_form,
    throttle,
)
from worktally.webhook.events import record_event

router = APIRouter(route_class=TransactionalRoute)

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
    problem = password_problem(form.get("password"))
    if problem is not None:
        errors["password"] = [problem]
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
        mode="password",
        token=token,
        invitation=invitation,
        workspace_name=await repository.workspace_name(session, invitation.workspace_id),
        firstname=(form.get("firstname") if form else invitation.firstname)[:MAX_NAME_LENGTH],
        lastname=(form.get("lastname") if form else invitation.lastname)[:MAX_NAME_LENGTH],
        errors=errors,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


async def _existing_account_page(
    request: Request, session: AsyncSession, token: str, invitation: PendingInvitation, *, posted: bool = False
) -> Response:
    """For an account with a password: join (signed in as it), switch account (signed in as another), or
    sign in first. A POST that cannot accept answers 401 or 403 with the same page."""
    user_id = signed_in_user_id(request)
    signed_in = await repository.get_user(session, user_id) if user_id is not None else None
    if signed_in is not None and signed_in.id == invitation.user_id:
        mode, status_code, signed_in_email = "join", 200, ""
    elif signed_in is not None:
        mode, status_code, signed_in_email = "wrong_account", 403, signed_in.email
    else:
        mode, status_code, signed_in_email = "sign_in", 401 if posted else 200, ""
    return render(
        request,
        "accept_invitation.html",
        status_code=status_code,
        mode=mode,
        token=token,
        invitation=invitation,
        workspace_name=await repository.workspace_name(session, invitation.workspace_id),
        signed_in_email=signed_in_email,
        is_error=posted,
    )


async def _welcome(
    request: Request, session: AsyncSession, invitation: PendingInvitation, *, signed_in: bool
) -> Response:
    member = await members.managers_view(session, invitation.workspace_id, invitation.user_id)
    if member is not None:
        await record_event(session, workspace_id=invitation.workspace_id, type="member.activated", data=member)
    workspace_name = await repository.workspace_name(session, invitation.workspace_id)
    if signed_in:
        return message_page(
            request,
            "Welcome to Worktally",
            f"You have joined {workspace_name} as {invitation.email}.",
            link_href="/settings/tokens",
            link_text="Continue",
        )
    return message_page(
        request,
        "Welcome to Worktally",
        f"Your account {invitation.email} is active. You can now sign in.",
        link_href="/sign-in",
        link_text="Sign in",
    )


@router.get("/accept-invitation/{token}")
async def invitation_page(token: str, request: Request, session: SessionDep) -> Response:
    """The invitation: choose a password (a new account) or join as the signed-in account (an existing one)."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    invitation = await invitations.find_pending(session, token)
    if invitation is None:
        return _not_found(request)
    if invitation.has_password:
        return await _existing_account_page(request, session, token, invitation)
    return await _form_page(request, session, token, invitation)


@router.post("/accept-invitation/{token}")
async def accept_invitation(token: str, request: Request, session: SessionDep) -> Response:
    """Activate the membership and use the invitation up: with a first password for a new account, or as
    the signed-in invited account itself for an existing one (whose password is never touched)."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    invitation = await invitations.find_pending(session, token)
    if invitation is None:
        return _not_found(request)
    if invitation.has_password:
        user_id = signed_in_user_id(request)
        if user_id != invitation.user_id:
            return await _existing_account_page(request, session, token, invitation, posted=True)
        try:
            async with session.begin_nested():
                await invitations.accept_as(session, invitation, user_id=user_id)
        except InvitationRefused:
            return _not_found(request)
        return await _welcome(request, session, invitation, signed_in=True)

    errors = _validate(form)
    if errors:
        return await _form_page(request, session, token, invitation, form=form, errors=errors)
    try:
        async with session.begin_nested():  # a refusal below leaves nothing behind
            await invitations.accept(
                session,
                invitation,
                password=form.get("password"),
                firstname=form.get("firstname").strip() or None,
                lastname=form.get("lastname").strip() or None,
            )
    except InvitationRefused as refused:
        if refused.reason == invitations.SIGN_IN_REQUIRED:  # the account got a password meanwhile
            return await _existing_account_page(request, session, token, invitation, posted=True)
        return _not_found(request)
    return await _welcome(request, session, invitation, signed_in=False)
