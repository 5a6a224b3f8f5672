"""Who is calling: the token's identity, and, for workspace-scoped operations, their membership."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from worktally.auth.permissions import ROLE_PERMISSIONS, Permission, Role


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated token: whose it is and what it may do."""

    user_id: int
    scopes: frozenset[str]
    token_kind: str  # "pat" | "oauth"
    token_id: int
    client_id: str | None = None
    client_credentials: bool = False  # an OAuth app acting for itself (as its owner), not for a signed-in user


@dataclass(frozen=True, slots=True)
class Principal:
    """An identity acting in one workspace, with its role there (D6)."""

    identity: Identity
    workspace_id: int
    role: Role
    workspace_owner_id: int
    rate_status: int
    timezone: str  # the member's IANA timezone, the workspace's if unset (D9)

    @property
    def user_id(self) -> int:
        return self.identity.user_id

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def can_any(self, permissions: Iterable[Permission]) -> bool:
        granted = ROLE_PERMISSIONS[self.role]
        return any(p in granted for p in permissions)

    def sees_rates_of(self, user_id: int | None) -> bool:
        """D6: rates are visible to Owner/EM, or to a member with rate_status 1 for their own data."""
        return self.can(Permission.RATES_READ_ALL) or (self.rate_status == 1 and user_id == self.user_id)
