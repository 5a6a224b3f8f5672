"""The frame every member page shares: who is signed in, in which workspace, with which role; the
navigation that role may see; flash messages; the running timer; the theme.

A page handler looks like an API handler (STYLE): ``frame = await member_frame(request, session)`` is its
``require``; the domain service does the work; the template only shows. The session → ``Principal`` step is
the API's own ``load_principal`` (same membership read, same 403), with an identity of kind ``session``.
Services raise ``AppError``; ``WebRoute`` turns what escapes a handler into the error page of its status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import TransactionalRoute, load_principal, request_db
from worktally.api.errors import validation_errors
from worktally.api.pagination import PageParams
from worktally.auth.permissions import TIME_READ, Permission
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Identity, Principal
from worktally.auth.tokens import Caller
from worktally.core.clock import utc_now
from worktally.core.errors import AppError, ForbiddenError, ValidationError
from worktally.core.timezones import zone
from worktally.time_entry.rules import format_minutes
from worktally.tracking import service as tracking
from worktally.tracking.schemas import CurrentTrackerData
from worktally.web import repository
from worktally.web.approvals import counts as approvals
from worktally.web.pages import (
    TEMPLATES,
    Form,
    redirect,
    render,
    sign_in_redirect,
    sign_out_session,
    signed_in_user_id,
    submitted_form,
)
from worktally.workspace import service as workspaces
from worktally.workspace.schemas import WorkspaceRead

log = logging.getLogger("worktally.web")

_WORKSPACE_KEY = "workspace_id"
_FLASH_KEY = "flash"
_THEME_KEY = "theme"
THEMES = ("auto", "dark", "light")
SESSION_SCOPES = frozenset({"read", "write"})  # a signed-in person may do what their role allows (D6)


class PageExit(Exception):
    """Leave the handler with this response (a redirect to sign-in, a CSRF failure page)."""

    def __init__(self, response: Response) -> None:
        super().__init__("page exit")
        self.response = response


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    key: str
    count: int = 0


# (path, label, key, permissions of which the role needs one: the same the API's routers require)
_NAV: tuple[tuple[str, str, str, tuple[Permission, ...]], ...] = (
    ("/", "Today", "day", (P.TRACKING_WRITE_OWN,)),
    ("/week", "My week", "week", (P.TIMESHEETS_SUBMIT_OWN,)),
    ("/time-requests", "Time requests", "requests", TIME_READ),
    ("/leave", "Leave", "leave", (P.LEAVES_READ_ALL, P.LEAVES_READ_OWN)),
    ("/expenses", "Expenses", "expenses", (P.EXPENSES_READ_ALL, P.EXPENSES_READ_OWN)),
    ("/me", "Me", "me", ()),
)
# The manager's areas (issue #17), shown before "Me"; the same permissions the API's routers require (D6).
_MANAGER_NAV: tuple[tuple[str, str, str, tuple[Permission, ...]], ...] = (
    ("/approvals", "Approvals", "approvals", (P.TIMESHEETS_APPROVE, P.TIME_REQUESTS_APPROVE, P.LEAVES_APPROVE)),
    ("/team", "Team", "team", (P.MEMBERS_READ_ALL, P.MEMBERS_READ_MANAGED, P.MEMBERS_READ_TEAM)),
    ("/projects", "Projects", "projects", (P.PROJECTS_READ_ALL, P.PROJECTS_READ_MANAGED, P.PROJECTS_READ_TEAM)),
    ("/reports", "Reports", "reports", (P.REPORTS_READ_ALL, P.REPORTS_READ_MANAGED, P.REPORTS_READ_TEAM)),
    ("/settings/workspace", "Settings", "settings", (P.WORKSPACE_SETTINGS_WRITE,)),
)
AREA_PERMISSIONS = {key: perms for _, _, key, perms in (*_NAV, *_MANAGER_NAV)}


@dataclass(frozen=True, slots=True)
class Frame:
    """The signed-in member in the current workspace, and what every page's layout shows."""

    principal: Principal
    name: str
    email: str
    workspaces: Sequence[WorkspaceRead]
    tracker: CurrentTrackerData | None
    tz: ZoneInfo
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)  # what waits for approval (the navigation's number)

    @property
    def workspace(self) -> WorkspaceRead:
        return next(w for w in self.workspaces if w.id == self.principal.workspace_id)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def may(self, area: str) -> bool:
        perms = AREA_PERMISSIONS[area]
        return not perms or self.principal.can_any(perms)

    @property
    def nav(self) -> list[NavItem]:
        member = [NavItem(href, label, key) for href, label, key, _ in _NAV if self.may(key)]
        waiting = sum(self.counts.values())
        manager = [
            NavItem(href, label, key, waiting if key == "approvals" else 0)
            for href, label, key, _ in _MANAGER_NAV
            if self.may(key)
        ]
        return [i for i in member if i.key != "me"] + manager + [i for i in member if i.key == "me"]


def need(frame: Frame, area: str) -> None:
    """403 unless the role may use this area (the API's permissions for the same data)."""
    if not frame.may(area):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")


def _identity(user_id: int) -> Identity:
    return Identity(user_id=user_id, scopes=SESSION_SCOPES, token_kind="session", token_id=0)


async def member_workspaces(request: Request, user_id: int) -> Sequence[WorkspaceRead]:
    items, _ = await workspaces.list_workspaces(request_db(request), _identity(user_id), PageParams(1, 100))
    return [w for w in items if w.status == "active"]


async def member_frame(request: Request, session: AsyncSession) -> Frame:
    """The signed-in member's frame, or ``PageExit`` to sign-in (then back here)."""
    user_id = signed_in_user_id(request)
    user = await repository.get_user(session, user_id) if user_id is not None else None
    if user is None or user_id is None:
        sign_out_session(request)
        raise PageExit(sign_in_redirect(request))
    options = await member_workspaces(request, user_id)
    if not options:
        raise PageExit(
            render(
                request,
                "message.html",
                status_code=403,
                error_code="no_workspace",
                heading="No workspace yet",
                text="You are not an active member of any workspace. Ask a workspace owner for an invitation.",
                is_error=True,
                link_href="/settings/tokens",
                link_text="API access",
            )
        )
    chosen = request.session.get(_WORKSPACE_KEY)
    workspace_id = next((w.id for w in options if w.id == chosen), options[0].id)
    principal = await load_principal(request_db(request), Caller(_identity(user_id), None, None), workspace_id)
    tracker = None
    if principal.can(P.TRACKING_WRITE_OWN):
        tracker = await tracking.current_data(session, principal, None)
    counts = await approvals.pending_counts(session, principal) if principal.can_any(approvals.APPROVE) else {}
    frame = Frame(
        principal=principal,
        name=f"{user.firstname} {user.lastname}".strip() or user.email,
        email=user.email,
        workspaces=options,
        tracker=tracker,
        tz=zone(principal.timezone),
        now=utc_now(),
        counts=counts,
    )
    request.state.web_frame = frame
    return frame


def choose_workspace(request: Request, workspace_id: int) -> None:
    request.session[_WORKSPACE_KEY] = workspace_id


def flash(request: Request, text: str, kind: str = "success") -> None:
    """A message for the next page this session renders (after the redirect of a POST)."""
    messages = list(request.session.get(_FLASH_KEY) or [])
    messages.append({"kind": kind, "text": text})
    request.session[_FLASH_KEY] = messages[-5:]


def theme_of(request: Request) -> str:
    theme = request.session.get(_THEME_KEY)
    return theme if theme in THEMES else "auto"


def set_theme(request: Request, theme: str) -> None:
    request.session[_THEME_KEY] = theme if theme in THEMES else "auto"


def page(request: Request, template: str, frame: Frame, *, status_code: int = 200, **context: Any) -> Response:
    """A member page in the layout: navigation for the role, flash messages, the timer, the theme."""
    messages = request.session.pop(_FLASH_KEY, None) or []
    return render(
        request,
        template,
        status_code=status_code,
        frame=frame,
        flashes=messages,
        theme=theme_of(request),
        **context,
    )


def form_errors(exc: Exception, aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Field → messages, in the API's own words (a pydantic error as the API's 422; an ``AppError``'s
    ``errors``, or its message under ``form`` when it names no field)."""
    if isinstance(exc, PydanticValidationError):
        errors = validation_errors(RequestValidationError(exc.errors()))
    elif isinstance(exc, AppError) and exc.errors:
        errors = dict(exc.errors)
    elif isinstance(exc, AppError):
        errors = {"form": [exc.message]}
    else:
        raise exc
    if aliases:
        renamed: dict[str, list[str]] = {}
        for field, messages in errors.items():
            renamed.setdefault(aliases.get(field, field), []).extend(messages)
        errors = renamed
    return errors


def error_status(request: Request, exc: Exception) -> int:
    """The status of a form page shown again with ``exc``'s errors; the page names ``exc``'s code
    (``validation_failed`` for a form the schema refused) in ``X-Error-Code``."""
    if isinstance(exc, AppError):
        request.state.page_error_code = exc.code
        return exc.status_code
    request.state.page_error_code = ValidationError.code
    return ValidationError.status_code


# --- templates' helpers: every time shown in the member's timezone (D9) -------------------------------


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def hhmm(value: datetime | None, tz: ZoneInfo) -> str:
    local = _local(value, tz)
    return local.strftime("%H:%M") if local else ""


def clock(minutes: int | None) -> str:
    """``90`` → ``1:30``."""
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours}:{rest:02d}"


def day_label(value: date) -> str:
    return value.strftime("%a %-d %b")


def elapsed(tracker: CurrentTrackerData | None, now: datetime) -> str:
    if tracker is None or tracker.started_at is None:
        return "0:00:00"
    seconds = max(0, int((now - tracker.started_at).total_seconds()))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def num(value: Any) -> str:
    """``20.00`` → ``20``, ``0.50`` → ``0.5``: a decimal amount as people write it."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""


TEMPLATES.env.filters["clock"] = clock
TEMPLATES.env.filters["num"] = num
TEMPLATES.env.filters["minutes"] = format_minutes
TEMPLATES.env.filters["day_label"] = day_label
TEMPLATES.env.filters["iso"] = iso
TEMPLATES.env.globals["hhmm"] = hhmm
TEMPLATES.env.globals["elapsed"] = elapsed


# --- the route class ------------------------------------------------------------------------------------

_TITLES = {
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Please check the form",
    429: "Too many requests",
}


def error_page(request: Request, exc: AppError) -> Response:
    frame: Frame | None = getattr(request.state, "web_frame", None)
    status = exc.status_code if 400 <= exc.status_code < 500 else 500
    heading = _TITLES.get(status, "Something went wrong")
    text = exc.message if status < 500 else "Something went wrong on our side."
    if status == 404:
        text = "There is no such page, or it is not yours to see."
    context: dict[str, Any] = {
        "heading": heading,
        "text": text,
        "is_error": True,
        "link_href": "/",
        "link_text": "Back to today",
        "error_code": exc.code if status < 500 else AppError.code,
    }
    if frame is None:
        return render(request, "message.html", status_code=status, **context)
    home = frame.nav[0]  # the first page this role may use (Me for a project viewer)
    context.update(link_href=home.href, link_text=f"Go to {home.label}")
    if status == 403:
        context["text"] = f"{exc.message} Your role here is {frame.principal.role.value}."
    return page(request, "message.html", frame, status_code=status, **context)


class WebRoute(TransactionalRoute):
    """One transaction per request (``TransactionalRoute``); a ``PageExit`` answers its response, an
    ``AppError`` that escapes the handler its error page (after the rollback)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except PageExit as exit_:
                return exit_.response
            except AppError as exc:
                return error_page(request, exc)

        return route


def pick(items: Iterable[Any], **match: Any) -> Any:
    """The first item whose attributes equal ``match``, else None."""
    return next((i for i in items if all(getattr(i, k) == v for k, v in match.items())), None)


async def posted(request: Request, session: AsyncSession) -> tuple[Frame, Form]:
    """A POST's frame and its form (CSRF checked); signed out → sign-in, a bad token → the retry page."""
    if signed_in_user_id(request) is None:
        raise PageExit(redirect("/sign-in"))
    form = await submitted_form(request)
    if not isinstance(form, Form):
        raise PageExit(form)
    return await member_frame(request, session), form


async def optional_frame(request: Request, session: AsyncSession) -> Frame | None:
    """The frame when the signed-in person is an active member somewhere (the token page works without one)."""
    try:
        return await member_frame(request, session)
    except PageExit:
        return None
