"""Team (``/team``): the members the role sees (D6) with role, status, team and timezone; for Owner and
Executive manager: invite (the link shown when no SMTP server is set, D12), change a role, archive and
restore; teams with their members and managers (D17); project viewers and their projects (D13). Every action
is the API's service call with the API's schema, so its rules and messages are the API's."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask

from worktally.api.deps import SessionDep
from worktally.api.fields import valid_id
from worktally.auth.permissions import AssignableRole
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError, ForbiddenError, NotFoundError
from worktally.member import service as members
from worktally.member.mail import deliver_invitation
from worktally.member.schemas import MemberInvite, MemberUpdate
from worktally.project import service as projects
from worktally.project_viewer import service as viewers
from worktally.team import service as teams
from worktally.team.schemas import TeamCreate, TeamUpdate
from worktally.web import lists
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import Form, redirect

router = APIRouter(route_class=WebRoute)

ROLES: tuple[str, ...] = get_args(AssignableRole)


def _may(frame: Frame, permission: P) -> None:
    if not frame.principal.can(permission):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")


def _member_id(raw: int) -> int:
    if not valid_id(raw):
        raise NotFoundError("Member not found.")
    return raw


def _ids(form: Form, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if v.isdigit() and valid_id(int(v))]


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    principal = frame.principal
    people = await lists.every(lambda p: members.list_members(session, principal, page=p))
    people = sorted(people, key=lambda m: (m.status == "left", m.firstname.lower(), m.lastname.lower(), m.id))
    groups: list[Any] = []
    if principal.can_any((P.TEAMS_READ_ALL, P.TEAMS_READ_MANAGED)):
        groups = await lists.every(lambda p: teams.list_teams(session, principal, page=p))
    viewer_list: list[Any] = []
    project_choices: list[Any] = []
    if principal.can(P.PROJECT_VIEWERS_READ):
        viewer_list = await lists.every(lambda p: viewers.list_viewers(session, principal, page=p))
        project_choices = await lists.every(lambda p: projects.list_projects(session, principal, name=None, page=p))
    names = {m.id: f"{m.firstname} {m.lastname}".strip() or m.email for m in people}
    return page(
        request,
        "team.html",
        frame,
        status_code=status_code,
        area="team",
        people=people,
        names=names,
        teams=groups,
        viewers=viewer_list,
        project_choices=sorted(project_choices, key=lambda p: p.name.lower()),
        roles=ROLES,
        may_write=principal.can(P.MEMBERS_WRITE),
        may_teams=principal.can(P.TEAMS_WRITE),
        may_viewers=principal.can(P.PROJECT_VIEWERS_WRITE),
        errors=errors or {},
        values={"email": "", "firstname": "", "lastname": "", "role": "Regular User", **(values or {})},
    )


@router.get("/team")
async def team_page(request: Request, session: SessionDep) -> Response:
    """The members, teams and project viewers the role sees."""
    frame = await member_frame(request, session)
    need(frame, "team")
    return await _render(request, session, frame)


@router.post("/team/invite")
async def invite_member(request: Request, session: SessionDep) -> Response:
    """Invite by e-mail with a role (D12); without SMTP the link is shown to pass on."""
    frame, form = await posted(request, session)
    need(frame, "team")
    _may(frame, P.MEMBERS_WRITE)
    settings = request.app.state.settings
    values = {k: form.get(k) for k in ("email", "firstname", "lastname", "role")}
    try:
        body = MemberInvite.model_validate(values)
        invited = await members.invite(
            session,
            frame.principal,
            email=body.email,
            firstname=body.firstname,
            lastname=body.lastname,
            role=body.role,
            public_url=settings.public_url,
        )
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        if isinstance(exc, AppError) and exc.status_code == 409:
            errors = {"email": [exc.message]}
        await session.rollback()
        return await _render(
            request, session, frame, status_code=error_status(request, exc), errors=errors, values=values
        )
    if settings.smtp_url:
        flash(request, f"Invitation sent to {invited.member.email}.")
    else:
        flash(request, f"{invited.member.email} is invited. No e-mail server is set up: pass on this link.")
        flash(request, invited.invitation_link, "link")
    response = redirect("/team")
    # After the response, so after the commit: no e-mail for an invitation that was rolled back.
    response.background = BackgroundTask(deliver_invitation, settings, invited.mail)
    return response


async def _member_action(request: Request, session: SessionDep, member_id: int, action: str) -> Response:
    frame, form = await posted(request, session)
    need(frame, "team")
    _may(frame, P.MEMBERS_WRITE)
    member_id = _member_id(member_id)
    try:
        if action == "role":
            changed = await members.update_member(
                session, frame.principal, member_id, MemberUpdate.model_validate({"role": form.get("role")})
            )
            flash(request, f"{changed.firstname} {changed.lastname} is now {changed.current_role}.")
        elif action == "archive":
            changed = await members.archive_member(session, frame.principal, member_id)
            flash(request, f"{changed.firstname} {changed.lastname} is archived.")
        else:
            changed = await members.restore_member(session, frame.principal, member_id)
            flash(request, f"{changed.firstname} {changed.lastname} is restored ({changed.status}).")
    except (AppError, PydanticValidationError) as exc:
        if isinstance(exc, NotFoundError):
            raise
        await session.rollback()
        flash(request, " ".join(m for ms in form_errors(exc).values() for m in ms), "error")
    return redirect("/team")


@router.post("/team/{member_id}/role")
async def change_role(request: Request, session: SessionDep, member_id: int) -> Response:
    """Give a member another role (D6's protections of the Owner and of Executive managers apply)."""
    return await _member_action(request, session, member_id, "role")


@router.post("/team/{member_id}/archive")
async def archive_member(request: Request, session: SessionDep, member_id: int) -> Response:
    """Archive: status left, data kept, tokens revoked (D12)."""
    return await _member_action(request, session, member_id, "archive")


@router.post("/team/{member_id}/restore")
async def restore_member(request: Request, session: SessionDep, member_id: int) -> Response:
    """Restore an archived member."""
    return await _member_action(request, session, member_id, "restore")


# --- teams (D17) ----------------------------------------------------------------------------------------


@router.post("/team/teams")
async def create_team(request: Request, session: SessionDep) -> Response:
    """A new team with its members and managers."""
    frame, form = await posted(request, session)
    need(frame, "team")
    _may(frame, P.TEAMS_WRITE)
    try:
        body = TeamCreate(
            name=form.get("name"), member_ids=_ids(form, "member_ids"), manager_ids=_ids(form, "manager_ids")
        )
        created = await teams.create_team(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        await session.rollback()
        errors = {f"team-{k}": v for k, v in form_errors(exc).items()}
        return await _render(
            request,
            session,
            frame,
            status_code=error_status(request, exc),
            errors=errors,
            values={"team-name": form.get("name")},
        )
    flash(request, f"Team {created.name} created.")
    return redirect("/team#teams")


@router.post("/team/teams/{team_id}")
async def update_team(request: Request, session: SessionDep, team_id: int) -> Response:
    """Rename a team and replace its members and managers."""
    frame, form = await posted(request, session)
    need(frame, "team")
    _may(frame, P.TEAMS_WRITE)
    if not valid_id(team_id):
        raise NotFoundError("Team not found.")
    try:
        body = TeamUpdate(
            name=form.get("name"), member_ids=_ids(form, "member_ids"), manager_ids=_ids(form, "manager_ids")
        )
        updated = await teams.update_team(session, frame.principal, team_id, body)
    except (AppError, PydanticValidationError) as exc:
        if isinstance(exc, NotFoundError):
            raise
        await session.rollback()
        flash(request, " ".join(m for ms in form_errors(exc).values() for m in ms), "error")
        return redirect("/team#teams")
    flash(request, f"Team {updated.name} saved.")
    return redirect("/team#teams")


@router.post("/team/teams/{team_id}/delete")
async def delete_team(request: Request, session: SessionDep, team_id: int) -> Response:
    """Delete a team (its members stay)."""
    frame, _ = await posted(request, session)
    need(frame, "team")
    _may(frame, P.TEAMS_WRITE)
    if not valid_id(team_id):
        raise NotFoundError("Team not found.")
    await teams.delete_team(session, frame.principal, team_id)
    flash(request, "Team deleted.")
    return redirect("/team#teams")


# --- project viewers (D13) ------------------------------------------------------------------------------


async def _viewer_project(request: Request, session: SessionDep, viewer_id: int, assign: bool) -> Response:
    frame, form = await posted(request, session)
    need(frame, "team")
    _may(frame, P.PROJECT_VIEWERS_WRITE)
    project = form.get("project_id")
    if not valid_id(viewer_id) or not project.isdigit() or not valid_id(int(project)):
        raise NotFoundError("Project viewer not found.")
    try:
        if assign:
            await viewers.assign_project(session, frame.principal, viewer_id, int(project))
            flash(request, "Project assigned to the viewer.")
        else:
            await viewers.unassign_project(session, frame.principal, viewer_id, int(project))
            flash(request, "Project unassigned from the viewer.")
    except AppError as exc:
        if isinstance(exc, NotFoundError):
            raise
        await session.rollback()
        flash(request, exc.message, "error")
    return redirect("/team#viewers")


@router.post("/team/viewers/{viewer_id}/assign")
async def assign_viewer_project(request: Request, session: SessionDep, viewer_id: int) -> Response:
    """Let a project viewer see one more project."""
    return await _viewer_project(request, session, viewer_id, True)


@router.post("/team/viewers/{viewer_id}/unassign")
async def unassign_viewer_project(request: Request, session: SessionDep, viewer_id: int) -> Response:
    """Take a project away from a project viewer."""
    return await _viewer_project(request, session, viewer_id, False)
