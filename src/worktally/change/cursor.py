"""Opaque feed cursors (D19): the position (tx, id) of the last change served, and when it was recorded.

The time is there only to say 410 for a position older than the retention; the order is the position's.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from worktally.core.errors import ValidationError

_VERSION = "c1"
START = (-1, 0)  # before every change


@dataclass(frozen=True, slots=True)
class Position:
    tx: int
    id: int
    changed_at: datetime

    @property
    def after(self) -> tuple[int, int]:
        return self.tx, self.id


def encode(tx: int, id: int, changed_at: datetime) -> str:
    raw = f"{_VERSION}.{tx}.{id}.{int(changed_at.timestamp() * 1_000_000)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid() -> ValidationError:
    return ValidationError({"cursor": ["The cursor is not one this feed gave out."]})


def decode(cursor: str) -> Position:
    if len(cursor) > 200:
        raise _invalid()
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        version, tx, id, micros = raw.split(".")
        if version != _VERSION:
            raise ValueError(version)
        position = Position(int(tx), int(id), datetime.fromtimestamp(int(micros) / 1_000_000, UTC))
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError, OSError):
        raise _invalid() from None
    if position.tx < -1 or position.id < 0 or position.tx >= 2**63 or position.id >= 2**63:
        raise _invalid()
    return position
