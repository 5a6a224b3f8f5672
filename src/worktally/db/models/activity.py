from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.types import UTCDateTime


class ActivitySlot(Base):
    """D15: a 10-minute slot of a member's activity, reported by a tracker client."""

    __tablename__ = "activity_slots"
    __table_args__ = (Index("ix_activity_slots_workspace_start", "workspace_id", "slot_start"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    activity_level: Mapped[int] = mapped_column(Integer)
