from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.types import UTCDateTime

# SQLite gives an autoincrement key only to an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class Change(Base):
    """The changes feed's index over the event log (D19): one row per create, update or delete.

    Written by ``webhook/events.py: record_event`` in the same transaction as the change and pointing at its
    event (``event_id``), whose payload holds the resource: one log, read by webhook delivery and by the feed.
    ``user_id`` and ``project_id`` are whose and which project's the resource is, so that the feed filters
    by role with the same visibility subqueries as the lists. The feed is ordered by ``id``; why no change can
    commit behind a reader's position is in ``worktally/change/__init__.py``.
    """

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_feed", "workspace_id", "id"),
        Index("ix_changes_changed_at", "changed_at"),  # the retention purge, oldest first
        # change/repository.py: horizon, "has this member's reach changed since": a probe of the rare reach rows.
        Index(
            "ix_changes_reach",
            "workspace_id",
            "user_id",
            "id",
            postgresql_where=text("op = 'reach'"),
            sqlite_where=text("op = 'reach'"),
        ),
    )

    id: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    user_id: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
