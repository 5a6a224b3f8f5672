from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from worktally.db.base import Base
from worktally.db.models._mixins import Timestamps


class User(Timestamps, Base):
    """A person. Their id is the member id in every workspace they belong to (D4)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    firstname: Mapped[str] = mapped_column(String(100), default="")
    lastname: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    avatar: Mapped[str | None] = mapped_column(String(255))
    # Browser sessions carry this number; raising it ends every session of the user at once
    # (sign-out, a password change, archiving): see worktally.auth.sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()
