from __future__ import annotations

from worktally.core.errors import ConflictError, NotFoundError


class ProjectViewerNotFoundError(NotFoundError):
    code = "project_viewer_not_found"
    message = "Project viewer not found."


class ProjectNotFoundError(NotFoundError):
    code = "project_not_found"
    message = "Project not found."


class ProjectAlreadyAssignedError(ConflictError):
    code = "project_already_assigned"
    message = "This project is already assigned to this viewer."


class ProjectNotAssignedError(NotFoundError):
    code = "project_not_assigned"
    message = "This project is not assigned to this viewer."
