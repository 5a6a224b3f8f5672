"""Every table, in one package so that Alembic sees one metadata and models can point at each other."""

from worktally.db.base import Base
from worktally.db.models.activity import ActivitySlot
from worktally.db.models.auth import OAuthAuthorizationCode, OAuthClient, OAuthToken, PersonalAccessToken
from worktally.db.models.change import Change
from worktally.db.models.expense import Expense, ExpenseCategory
from worktally.db.models.idempotency import IdempotencyKey
from worktally.db.models.leave import LeavePolicy, LeavePolicyMember, LeaveRequest, LeaveRequestDay
from worktally.db.models.member import Invitation, Membership
from worktally.db.models.project import Contract, Project, ProjectTag, ProjectViewerAssignment, Tag
from worktally.db.models.task import Task, TaskAssignee
from worktally.db.models.team import Team, TeamMember
from worktally.db.models.time import RunningTracker, TimeEntry, TimeRequest, Timesheet
from worktally.db.models.user import User
from worktally.db.models.webhook import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from worktally.db.models.workspace import Holiday, Workspace

__all__ = [
    "ActivitySlot",
    "Base",
    "Change",
    "Contract",
    "Expense",
    "ExpenseCategory",
    "Holiday",
    "IdempotencyKey",
    "Invitation",
    "LeavePolicy",
    "LeavePolicyMember",
    "LeaveRequest",
    "LeaveRequestDay",
    "Membership",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthToken",
    "PersonalAccessToken",
    "Project",
    "ProjectTag",
    "ProjectViewerAssignment",
    "RunningTracker",
    "Tag",
    "Task",
    "TaskAssignee",
    "Team",
    "TeamMember",
    "TimeEntry",
    "TimeRequest",
    "Timesheet",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "Workspace",
]
