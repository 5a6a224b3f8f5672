from __future__ import annotations

from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError


class TaskNotFoundError(NotFoundError):
    message = "Task not found."
    code = "task_not_found"


class AssigneeNotFoundError(NotFoundError):
    message = "The user is not assigned to this task."
    code = "task_assignee_not_found"


class AlreadyAssignedError(ConflictError):
    message = "The user is already assigned to this task."
    code = "task_already_assigned"


class TaskManagementForbiddenError(ForbiddenError):
    message = "You may not manage tasks on this project."
    code = "task_management_forbidden"
