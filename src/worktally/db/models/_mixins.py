from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from worktally.core.clock import utc_now
from worktally.db.types import UTCDateTime


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)
