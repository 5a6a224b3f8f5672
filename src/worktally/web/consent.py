"""``/oauth/authorize``: the OAuth2 authorization page (D7). Sign in if needed, then approve or deny.

The request is validated by the Authlib server (``worktally.auth.oauth2.server``) on every step, GET and
POST alike; these handlers only add the browser parts: the session, the consent form and its CSRF token.
The OAuth parameters travel in the query string of both the page and its form's ``action``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from worktally.api.deps import SessionDep, TransactionalRoute, settings_of
from worktally.auth.oauth2.engine import sync_engine
from worktally.auth.oauth2.router import checked_url
from worktally.auth.oauth2.server import (
    AuthorizationRefused,
    ConsentRequest,
    HttpRequest,
    OAuthResponse,
    check_authorization,
    decide_authorization,
)
from worktally.web import repository
from worktally.web.pages import (
    message_page,
    render,
    sign_in_redirect,
    sign_out_session,
    signed_in_user_id,
    submitted_form,
    throttle,
)

router = APIRouter(route_class=TransactionalRoute)

SCOPE_DESCRIPTIONS = {
    "read": "see your workspaces, projects, time and reports",
    "write": "add and change time, projects and other data on your behalf",
    "admin": "everything your role allows, including administration",
}


def _http(request: Request) -> HttpRequest:
    return HttpRequest(
        method="GET",
        url=checked_url(request),
        authorization=None,
        query=tuple(request.query_params.multi_items()),
    )


def _refused_page(request: Request, refused: AuthorizationRefused) -> Response:
    return message_page(
        request,
        "This authorization request is not valid",
        f"{refused.description} ({refused.error})",
        status_code=400,
        error_code=refused.error,
    )


def _to_client(request: Request, answer: OAuthResponse) -> Response:
    location = answer.location
    if location is None:
        error = answer.body.get("error", "invalid_request") if isinstance(answer.body, dict) else "invalid_request"
        description = answer.body.get("error_description", "") if isinstance(answer.body, dict) else ""
        return _refused_page(request, AuthorizationRefused(error=str(error), description=str(description or error)))
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


@router.get("/oauth/authorize")
async def authorize_page(request: Request, session: SessionDep) -> Response:
    """Ask the signed-in user to approve the app (RFC 6749 §4.1.1)."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    engine = sync_engine(request.app.state, settings_of(request).database_url)
    outcome = await run_in_threadpool(check_authorization, engine, _http(request))
    if isinstance(outcome, AuthorizationRefused):
        return _refused_page(request, outcome)
    if isinstance(outcome, OAuthResponse):
        return _to_client(request, outcome)
    user_id = signed_in_user_id(request)
    user = await repository.get_user(session, user_id) if user_id is not None else None
    if user is None:
        sign_out_session(request)
        return sign_in_redirect(request)
    return _consent_page(request, outcome, user.email)


def _consent_page(request: Request, consent: ConsentRequest, email: str) -> Response:
    action = request.url.path + "?" + request.url.query
    return render(
        request,
        "consent.html",
        consent=consent,
        email=email,
        action=action,
        scope_descriptions=SCOPE_DESCRIPTIONS,
    )


@router.post("/oauth/authorize")
async def decide(request: Request) -> Response:
    """Approve or deny: back to the app's redirect URI with a code or ``error=access_denied``."""
    if (throttled := await throttle(request)) is not None:
        return throttled
    form = await submitted_form(request)
    if isinstance(form, Response):
        return form
    user_id = signed_in_user_id(request)
    if user_id is None:
        return sign_in_redirect(request)
    engine = sync_engine(request.app.state, settings_of(request).database_url)
    outcome = await run_in_threadpool(
        lambda: decide_authorization(engine, _http(request), user_id=user_id, approve=form.get("decision") == "approve")
    )
    if isinstance(outcome, AuthorizationRefused):
        return _refused_page(request, outcome)
    return _to_client(request, outcome)
