"""One clock for the whole server (D9: the server's clock is authoritative). Tests may freeze it."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def utc_now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze the clock at ``at`` (aware), or unfreeze with ``None``. For tests only."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC) if at is not None else None


def isoformat_z(value: datetime) -> str:
    """D1: ISO 8601 in UTC with a ``Z`` suffix and microseconds."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    # "+00:00" cut off rather than ``replace(tzinfo=None)`` first: no new datetime (a few per response).
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def isoformat_offset(value: datetime) -> str:
    """D1: a member-local instant, as documented per field (attendance ``first_start``, timeline times):
    the form of ``isoformat_z`` with the value's own UTC offset (``2026-01-29T13:00:00.000000+01:00``);
    a zero offset is written ``Z``, so in UTC it is exactly the form of every other datetime."""
    if value.tzinfo is None:
        raise ValueError("isoformat_offset() needs an aware datetime")
    text = value.isoformat(timespec="microseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text
