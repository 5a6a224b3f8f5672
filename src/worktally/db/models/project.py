from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps
from worktally.db.types import Money, UTCDateTime


class Project(Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_workspace_id_name", "workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    estimation: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    budget_estimation: Mapped[Decimal | None] = mapped_column(Money())
    notes: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(100))
    is_billable: Mapped[bool] = mapped_column(Boolean, default=True)
    rate: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    weekly_hours_limit: Mapped[int | None] = mapped_column(Integer, default=168)
    screenshots: Mapped[str | None] = mapped_column(String(32), default="full")
    status: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(16))


class ProjectTag(Base):
    __tablename__ = "project_tags"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class ProjectViewerAssignment(Base):
    """A project viewer (a member with role ``Project viewer``) sees only these projects (D13)."""

    __tablename__ = "project_viewer_assignments"
    __table_args__ = (Index("ix_project_viewer_assignments_project_id", "project_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))


class Contract(Timestamps, Base):
    """A member's assignment to a project (D13: one live contract per member per project)."""

    __tablename__ = "contracts"
    __table_args__ = (
        Index(
            "uq_contracts_live_project_user",
            "project_id",
            "user_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_contracts_workspace_id_user_id", "workspace_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    weekly_hours_limit: Mapped[int] = mapped_column(Integer, default=168)
    screenshots: Mapped[str] = mapped_column(String(32), default="full")
    rate: Mapped[Decimal | None] = mapped_column(Money())
    rate_type: Mapped[int] = mapped_column(Integer, default=1)  # 1 custom, 2 member, 3 project
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|paused
    notes: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
