from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps


class Team(Timestamps, Base):
    """D17 (extension)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class TeamMember(Base):
    """A member of a team, or (``is_manager``) one of its managers."""

    __tablename__ = "team_members"
    __table_args__ = (Index("ix_team_members_user_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, primary_key=True, default=False)
