"""``/sign-in`` and ``/sign-out``: e-mail and password (argon2), a session holding the user's id (D7).

Signing out ends every browser session of the user, not only this browser's (``auth.sessions``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from worktally.api.deps import SessionDep, TransactionalRoute
from worktally.auth.sessions import end_sessions
from worktally.core.passwords import hash_password, verify_password
from worktally.web import repository
from worktally.web.pages import (
    redirect,
    render,
    safe_next,
    sign_in_session,
    sign_out_session,
    signed_in_user_id,
    submitted_form,
    throttle,
)

router = APIRouter(route_class=TransactionalRoute)

# Unknown e-mails cost the same argon2 verification as known ones: no account enumeration by timing.
_DUMMY_HASH = hash_password("worktally-no-such-user")
_WRONG_CREDENTIALS = "The e-mail or password is incorrect."


@router.get("/sign-in", name="sign_in_page")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    target = safe_next(next)
    if signed_in_user_id(request) is not None:
        return redirect(target)
    return render(request, "sign_in.html", next_url=target, email="", error=None)


@router.post("/sign-in")
async def sign_in(request: Request, session: SessionDep) -> Response:
    """Check the e-mail and password; start a session."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    email = form.get("email").strip().lower()
    target = safe_next(form.get("next"))
    user = None
    if email and "\x00" not in email and len(email) <= 254:
        user = await repository.find_user_by_email(session, email)
    password_hash = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    valid = await run_in_threadpool(verify_password, password_hash, form.get("password"))
    if user is None or not user.password_hash or not valid:
        return render(
            request,
            "sign_in.html",
            status_code=401,
            error_code="invalid_credentials",
            next_url=target,
            email=email[:254],
            error=_WRONG_CREDENTIALS,
        )
    sign_in_session(request, user.id, session_version=user.session_version)
    return redirect(target)


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """End every session of the signed-in user, in every browser; then the sign-in page (coming back to
    ``next``, when the form gives one)."""
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    user_id = signed_in_user_id(request)
    if user_id is not None:
        await end_sessions(session, user_id)
    sign_out_session(request)
    next_url = safe_next(form.get("next"), default="")
    return redirect("/sign-in?" + urlencode({"next": next_url}) if next_url else "/sign-in")
