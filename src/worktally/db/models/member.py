from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from worktally.auth.permissions import Role, is_staff_role
from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps
from worktally.db.types import Money, UTCDateTime


class Membership(Timestamps, Base):
    """A user's place in a workspace: role (D6), status, timezone (D9), rates. Project viewers too."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        Index("ix_memberships_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="inactive")  # active|inactive|left
    title: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: the workspace's (D9)
    rate: Mapped[Decimal | None] = mapped_column(Money())
    rate_status: Mapped[int] = mapped_column(Integer, default=0)
    rate_type: Mapped[str] = mapped_column(String(16), default="hourly")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    weekly_hours_limit: Mapped[int] = mapped_column(Integer, default=168)
    screenshots: Mapped[str] = mapped_column(String(32), default="full")
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @hybrid_property
    def is_staff(self) -> bool:
        """``auth.permissions.is_staff_role``: not a project viewer."""
        return is_staff_role(self.role)

    @is_staff.inplace.expression
    @classmethod
    def _is_staff_expression(cls) -> ColumnElement[bool]:
        return cls.role != Role.PROJECT_VIEWER.value


class Invitation(Base):
    """D12: single-use, 7-day invitation; only the token's hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
