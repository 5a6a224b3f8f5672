from __future__ import annotations

from worktally.core.errors import ConflictError, NotFoundError


class ContractNotFoundError(NotFoundError):
    message = "Contract not found."
    code = "contract_not_found"


class MemberNotFoundError(NotFoundError):
    message = "Member not found."
    code = "member_not_found"


class ContractExistsError(ConflictError):
    """D13: one live contract per member per project."""

    message = "This member already has a contract on this project."
    code = "contract_exists"
