"""Opaque feed cursors (D19): the id of the last change served, when it was recorded, and the horizon.

The time is there only to say 410 for a position older than the retention; the order is the id's. The
horizon is the newest change of the workspace when the cursor was given out: a member whose reach changed
after it (change/reach.py) gets 410 too, and lists afresh.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from worktally.core.errors import ValidationError

_VERSION = "c2"
_VERSION_1 = "c1"  # (id, time) only: its horizon is its own id
START = 0  # before every change


@dataclass(frozen=True, slots=True)
class Position:
    id: int
    changed_at: datetime
    horizon: int


def encode(id: int, changed_at: datetime, horizon: int) -> str:
    raw = f"{_VERSION}.{id}.{int(changed_at.timestamp() * 1_000_000)}.{max(horizon, id)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid() -> ValidationError:
    return ValidationError({"cursor": ["The cursor is not one this feed gave out."]})


def decode(cursor: str) -> Position:
    if len(cursor) > 200:
        raise _invalid()
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        version, id, micros, *rest = raw.split(".")
        if (version, len(rest)) not in ((_VERSION, 1), (_VERSION_1, 0)):
            raise ValueError(version)
        horizon = int(rest[0]) if rest else int(id)
        position = Position(int(id), datetime.fromtimestamp(int(micros) / 1_000_000, UTC), horizon)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError, OSError):
        raise _invalid() from None
    if not 0 <= position.id <= position.horizon < 2**63:
        raise _invalid()
    return position
