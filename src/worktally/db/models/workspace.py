from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps
from worktally.db.types import UTCDateTime


class Workspace(Timestamps, Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Settings (D10, D16): approvals, timesheet period, weekend days, attendance expectations.
    auto_approve_time_requests: Mapped[bool] = mapped_column(Boolean, default=False)
    timesheet_period: Mapped[str] = mapped_column(String(16), default="weekly")  # weekly|biweekly|monthly
    weekend_days: Mapped[str] = mapped_column(String(20), default="5,6")  # ISO weekday-1: Mon=0 … Sun=6
    workday_start_time: Mapped[str] = mapped_column(String(5), default="09:00")
    expected_daily_minutes: Mapped[int] = mapped_column(Integer, default=480)
    late_grace_minutes: Mapped[int] = mapped_column(Integer, default=0)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("workspace_id", "holiday_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    holiday_date: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
