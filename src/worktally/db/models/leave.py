from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from worktally.core.ids import new_public_id
from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps
from worktally.db.types import UTCDateTime


class LeavePolicy(Timestamps, Base):
    __tablename__ = "leave_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(8))  # days|hours, fixed once created (D10)
    hours_per_day: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("8"))
    is_paid: Mapped[bool] = mapped_column(Boolean, default=True)
    allowance: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))
    allow_negative_balance: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_required: Mapped[bool] = mapped_column(Boolean, default=False)
    applies_to_all: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LeavePolicyMember(Base):
    __tablename__ = "leave_policy_members"

    policy_id: Mapped[int] = mapped_column(ForeignKey("leave_policies.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class LeaveRequest(Timestamps, Base):
    __tablename__ = "leave_requests"
    __table_args__ = (Index("ix_leave_requests_user_dates", "workspace_id", "user_id", "start_date"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("leave_policies.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    hours_per_day: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    leave_period: Mapped[int] = mapped_column(Integer, default=0)  # 0 full, 1 first half, 2 second half
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    is_paid: Mapped[bool] = mapped_column(Boolean)
    days: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)


class LeaveRequestDay(Base):
    """One working day of a leave request and what it uses of the balance, so that balances and
    overlap checks sum stored rows instead of re-deriving days from settings that may change."""

    __tablename__ = "leave_request_days"
    __table_args__ = (Index("ix_leave_request_days_user_date", "workspace_id", "user_id", "leave_date"),)

    request_id: Mapped[str] = mapped_column(ForeignKey("leave_requests.id", ondelete="CASCADE"), primary_key=True)
    leave_date: Mapped[date] = mapped_column(Date, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    days: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
