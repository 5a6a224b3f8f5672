"""Who and what time is saved for: the member (with their timezone, D9) and the contract, project and task.

Shared by time entries, the tracker, time requests and timesheets, so that every way time enters the
system checks the same things in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import is_staff_role
from worktally.contract import repository as contract_repository
from worktally.core.errors import NotFoundError, ValidationError
from worktally.core.timezones import zone
from worktally.db.models import Contract, Project, Task
from worktally.db.prepared import RequestDb
from worktally.db.repository import valid_id
from worktally.member import repository as member_repository
from worktally.task import repository as task_repository


class MemberNotActiveError(ValidationError):
    """422 for time of an invited member who has not accepted yet (D12), with its own code."""

    code = "member_not_active"


@dataclass(frozen=True, slots=True)
class MemberInfo:
    user_id: int
    firstname: str
    lastname: str
    email: str
    role: str
    status: str
    tz: ZoneInfo
    rate_status: int
    workspace_timesheet_period: str
    workspace_auto_approve: bool

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip() or self.email


@dataclass(frozen=True, slots=True)
class Target:
    """The contract (and so the project) and task time is booked on; all None for untracked time."""

    contract_id: int | None = None
    contract_status: str | None = None
    weekly_hours_limit: int | None = None  # the contract's, in hours a week
    project_id: int | None = None
    project_name: str | None = None
    task_id: int | None = None
    task_title: str | None = None


async def find_member(source: AsyncSession | RequestDb, workspace_id: int, user_id: int) -> MemberInfo | None:
    """A member of the workspace (any status), or None: in a session's transaction, or as a request reads."""
    if not valid_id(user_id):  # past the id columns' range no member can exist
        return None
    row = await member_repository.time_member(source, workspace_id, user_id)
    if row is None:
        return None
    return MemberInfo(
        user_id=row["id"],
        firstname=row["firstname"],
        lastname=row["lastname"],
        email=row["email"],
        role=row["role"],
        status=row["status"],
        tz=zone(row["timezone"] or row["workspace_timezone"]),
        rate_status=row["rate_status"],
        workspace_timesheet_period=row["timesheet_period"],
        workspace_auto_approve=row["auto_approve_time_requests"],
    )


async def member_for_write(
    session: AsyncSession, workspace_id: int, user_id: int, *, field: str = "user_id"
) -> MemberInfo:
    """An active member who can own time, else 422 on ``field``."""
    member = await find_member(session, workspace_id, user_id)
    if member is not None and member.status == "inactive" and is_staff_role(member.role):
        # D12: invited members may hold contracts and tasks already, but track only once active.
        raise MemberNotActiveError(
            {field: ["The selected user has not accepted their invitation yet; they can track time once active."]}
        )
    if member is None or member.status != "active" or not is_staff_role(member.role):
        raise ValidationError({field: ["The selected user is not an active member of this workspace."]})
    return member


async def member_for_read(source: AsyncSession | RequestDb, workspace_id: int, user_id: int) -> MemberInfo:
    member = await find_member(source, workspace_id, user_id)
    if member is None:
        raise NotFoundError("Member not found.", code="member_not_found")
    return member


async def resolve_target(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    *,
    contract_id: int | None,
    task_id: int | None,
) -> Target:
    """The member's live contract and a task of its project; 422 on the offending field otherwise."""
    if contract_id is None:
        if task_id is not None:
            raise ValidationError({"task_id": ["A task can only be given together with a contract_id."]})
        return Target()
    contract = await contract_repository.live_contract_with_project(session, workspace_id, user_id, contract_id)
    if contract is None:
        raise ValidationError({"contract_id": ["The selected contract does not belong to this member."]})
    if contract["project_id"] is None:
        raise ValidationError({"contract_id": ["The contract's project is archived."]})
    task = None
    if task_id is not None:
        task = await task_repository.live_task_of_project(session, workspace_id, contract["project_id"], task_id)
        if task is None:
            raise ValidationError({"task_id": ["The selected task does not belong to the contract's project."]})
    return Target(
        contract_id=contract["id"],
        contract_status=contract["status"],
        weekly_hours_limit=contract["weekly_hours_limit"],
        project_id=contract["project_id"],
        project_name=contract["project_name"],
        task_id=task["id"] if task is not None else None,
        task_title=task["title"] if task is not None else None,
    )


async def contract_for_project(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> int | None:
    """The member's live contract on ``project_id``, if any (PUT /time-entries takes a project)."""
    return await contract_repository.live_contract_on_project(session, workspace_id, user_id, project_id)


async def existing_target(
    session: AsyncSession, contract_id: int | None, project_id: int | None, task_id: int | None
) -> Target:
    """What an entry is already booked on, without re-checking it (an archived project keeps its time)."""
    contract = await session.get(Contract, contract_id) if contract_id is not None else None
    project = await session.get(Project, project_id) if project_id is not None else None
    task = await session.get(Task, task_id) if task_id is not None else None
    return Target(
        contract_id=contract.id if contract else None,
        contract_status=contract.status if contract else None,
        weekly_hours_limit=contract.weekly_hours_limit if contract else None,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        task_id=task.id if task else None,
        task_title=task.title if task else None,
    )
