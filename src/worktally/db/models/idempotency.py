from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.types import UTCDateTime


class IdempotencyKey(Base):
    """The first committed (2xx) answer to a write sent with ``Idempotency-Key`` (D18), kept until ``expires_at``.

    Written in the same transaction as the write's effect, so the answer exists exactly when the effect does.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("caller", "workspace_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),  # the purge reads the oldest first, in batches
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(80))  # "user:<id>" or "client:<client_id>" (client credentials)
    workspace_id: Mapped[int] = mapped_column(Integer)  # 0 outside a workspace
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path, query and body
    status_code: Mapped[int] = mapped_column(Integer)
    headers: Mapped[list[list[str]]] = mapped_column(JSON)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"IdempotencyKey({self.caller}, {self.workspace_id}, {self.key!r}, {self.status_code})"
