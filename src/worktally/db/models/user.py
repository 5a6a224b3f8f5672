from __future__ import annotations

from sqlalchemy import String
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

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()
