"""Every query on idempotency_keys (D18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, and_, bindparam, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import IdempotencyKey as K


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: str
    status_code: int
    headers: list[list[str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Lookup:
    answer: StoredAnswer | None
    locked: bool  # this transaction holds the key's lock (always True on SQLite: writers are serialised)


_COLUMNS = (K.fingerprint, K.status_code, K.headers, K.body)


def _live(caller: str, workspace_id: int, key: str, now: datetime) -> ColumnElement[bool]:
    return and_(K.caller == caller, K.workspace_id == workspace_id, K.key == key, K.expires_at > now)


def _answer(row: object | None) -> StoredAnswer | None:
    if row is None or getattr(row, "fingerprint", None) is None:
        return None
    return StoredAnswer(row.fingerprint, row.status_code, row.headers, bytes(row.body))  # type: ignore[attr-defined]


async def lookup(
    session: AsyncSession, *, caller: str, workspace_id: int, key: str, lock: int, now: datetime
) -> Lookup:
    """The live answer stored for the key and, on PostgreSQL, the key's lock tried in the same statement."""
    if session.get_bind().dialect.name != "postgresql":
        row = (await session.execute(select(*_COLUMNS).where(_live(caller, workspace_id, key, now)))).first()
        return Lookup(_answer(row), locked=True)
    one = select(literal(1).label("one")).subquery()
    statement = (
        select(func.pg_try_advisory_xact_lock(bindparam("lock", lock, type_=BigInteger)).label("locked"), *_COLUMNS)
        .select_from(one)
        .outerjoin(K, _live(caller, workspace_id, key, now))
    )
    row = (await session.execute(statement)).one()
    return Lookup(_answer(row), locked=bool(row.locked))


async def load(
    session: AsyncSession, *, caller: str, workspace_id: int, key: str, now: datetime
) -> StoredAnswer | None:
    row = (await session.execute(select(*_COLUMNS).where(_live(caller, workspace_id, key, now)))).first()
    return _answer(row)


async def store(
    session: AsyncSession,
    *,
    caller: str,
    workspace_id: int,
    key: str,
    answer: StoredAnswer,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Insert the answer in the session's transaction; False when a live answer for the key is already there."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {
        "caller": caller,
        "workspace_id": workspace_id,
        "key": key,
        "fingerprint": answer.fingerprint,
        "status_code": answer.status_code,
        "headers": answer.headers,
        "body": answer.body,
        "created_at": now,
        "expires_at": expires_at,
    }
    inserted = insert(K).values(values)
    statement = inserted.on_conflict_do_update(
        index_elements=[K.caller, K.workspace_id, K.key],
        set_={
            name: getattr(inserted.excluded, name) for name in values if name not in ("caller", "workspace_id", "key")
        },
        where=K.expires_at <= now,  # only an expired answer is replaced
    ).returning(K.id)
    return (await session.execute(statement)).first() is not None


async def purge_expired(session: AsyncSession, *, now: datetime, batch: int = 1000) -> int:
    """Delete up to ``batch`` expired answers, oldest first, along the index on expires_at."""
    oldest = select(K.id).where(K.expires_at <= now).order_by(K.expires_at).limit(batch).scalar_subquery()
    result = await session.execute(delete(K).where(K.id.in_(oldest)).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
