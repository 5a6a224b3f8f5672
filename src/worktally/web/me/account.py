"""A member's own account: their name, their timezone in this workspace (D9), their password (D7).

The API lets only Owner/EM change members (``PUT /members``, D6); a person may always change these three of
their own. The fields are the API's own types (``member.schemas``), so the messages are the API's. Kept here
until the member domain has its own self-service functions (the lead reconciles with the password-change
service of branch h-inv)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from worktally.api.fields import Timezone
from worktally.auth.principal import Principal
from worktally.auth.sessions import password_problem, set_password
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.passwords import verify_password
from worktally.member import repository as members
from worktally.member import service as member_service
from worktally.member.schemas import MemberRead, Name
from worktally.webhook.events import record_event

MIN_PASSWORD_LENGTH = 8  # D7
MAX_PASSWORD_LENGTH = 1000


class ProfileUpdate(BaseModel):
    firstname: Name
    lastname: Name
    timezone: Timezone | None = Field(default=None, description="None: the workspace's timezone.")


async def update_profile(session: AsyncSession, principal: Principal, body: ProfileUpdate) -> MemberRead:
    """Change one's own name and timezone; ``member.updated`` as ``PUT /members`` records it (D11)."""
    membership = await members.get_membership(session, principal.workspace_id, principal.user_id)
    user = await members.get_user(session, principal.user_id)
    if membership is None:
        raise ValidationError({"firstname": ["Your membership could not be found."]})
    user.firstname, user.lastname = body.firstname, body.lastname
    membership.timezone = body.timezone
    membership.updated_at = utc_now()
    await session.flush()
    member = await member_service.get_member(session, principal, principal.user_id)
    await record_event(session, workspace_id=principal.workspace_id, type="member.updated", data=member)
    return member


async def change_password(session: AsyncSession, user_id: int, *, current: str, new: str, repeat: str) -> int:
    """Check the current password (argon2, off the event loop), then set the new one through
    ``auth.sessions.set_password``: every session of the user ends; returns the new session version."""
    user = await members.get_user(session, user_id)
    errors: dict[str, list[str]] = {}
    if not await run_in_threadpool(verify_password, user.password_hash, current):
        errors["current_password"] = ["The current password is incorrect."]
    if (problem := password_problem(new)) is not None:
        errors["new_password"] = [problem]
    elif new != repeat:
        errors["repeat_password"] = ["The two passwords do not match."]
    if errors:
        raise ValidationError(errors)
    return await set_password(session, user_id, new)
