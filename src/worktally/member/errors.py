from __future__ import annotations

from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError


class MemberNotFoundError(NotFoundError):
    code = "member_not_found"
    message = "Member not found."


class MemberExistsError(ConflictError):
    code = "member_exists"
    message = "A member with this e-mail already exists in this workspace (an archived one can be restored)."


class EmailTakenError(ConflictError):
    code = "email_taken"
    message = "Another user already has this e-mail address."


class OwnerProtectedError(ForbiddenError):
    code = "owner_protected"
    message = "Nobody may change or archive the workspace owner through the API."


class ExecutiveManagerProtectedError(ForbiddenError):
    code = "executive_manager_protected"
    message = "Only the workspace owner may change or archive an executive manager."


class MemberAlreadyArchivedError(ConflictError):
    code = "member_already_archived"
    message = "This member is already archived."


class MemberNotArchivedError(ConflictError):
    code = "member_not_archived"
    message = "Only an archived member can be restored."
