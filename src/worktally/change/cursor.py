"""Opaque feed cursors (D19): the id of the last change served, and when it was recorded.

The time is there only to say 410 for a position older than the retention; the order is the id's.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from worktally.core.errors import ValidationError

_VERSION = "c1"
START = 0  # before every change


@dataclass(frozen=True, slots=True)
class Position:
    id: int
    changed_at: datetime


def encode(id: int, changed_at: datetime) -> str:
    raw = f"{_VERSION}.{id}.{int(changed_at.timestamp() * 1_000_000)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid() -> ValidationError:
    return ValidationError({"cursor": ["The cursor is not one this feed gave out."]})


def decode(cursor: str) -> Position:
    if len(cursor) > 200:
        raise _invalid()
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        version, id, micros = raw.split(".")
        if version != _VERSION:
            raise ValueError(version)
        position = Position(int(id), datetime.fromtimestamp(int(micros) / 1_000_000, UTC))
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError, OSError):
        raise _invalid() from None
    if not 0 <= position.id < 2**63:
        raise _invalid()
    return position
