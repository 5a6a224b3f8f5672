from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from worktally.core.ids import new_public_id
from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps
from worktally.db.types import UTCDateTime


class RunningTracker(Base):
    """D9: at most one running tracker per user per workspace, guaranteed by the primary key."""

    __tablename__ = "running_trackers"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    activity_description: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(32), default="Web tracker")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TimeEntry(Timestamps, Base):
    """A saved interval ``[started_at, ended_at)`` in UTC (D9)."""

    __tablename__ = "time_entries"
    __table_args__ = (
        Index("ix_time_entries_user_start", "workspace_id", "user_id", "started_at"),
        Index("ix_time_entries_workspace_start", "workspace_id", "started_at"),
        Index("ix_time_entries_contract_id", "contract_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    activity_description: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)  # derived from the interval, kept for reports
    leave_request_id: Mapped[str | None] = mapped_column(
        ForeignKey("leave_requests.id", ondelete="CASCADE"), index=True
    )
    time_request_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TimeRequest(Timestamps, Base):
    __tablename__ = "time_requests"
    __table_args__ = (Index("ix_time_requests_workspace_start", "workspace_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    time_entry_id: Mapped[str | None] = mapped_column(String(36))


class Timesheet(Timestamps, Base):
    """D10: one per member per period."""

    __tablename__ = "timesheets"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "date_from"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
