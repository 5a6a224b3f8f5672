"""Every query on idempotency_keys (D18)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


class Stored:
    """What ``store`` found: the answer is ours, a live answer was there first, or the key is held elsewhere."""

    OURS = "ours"
    TAKEN = "taken"  # a concurrent first request committed its answer: replay it
    IN_FLIGHT = "in_flight"  # another transaction holds the key's lock: 409


# The stored answer as extra columns of the statement that authenticates a keyed write (auth/tokens.identify,
# api/deps.load_principal): the lookup costs no round trip of its own. NULL when there is none.
ANSWER_COLUMNS = (
    K.fingerprint.label("idem_fingerprint"),
    K.status_code.label("idem_status_code"),
    K.headers.label("idem_headers"),
    K.body.label("idem_body"),
)
ANSWER_TABLE = K


def answer_join(caller: ColumnElement[str]) -> ColumnElement[bool]:
    """The join condition on ``ANSWER_TABLE`` for ``caller`` and the parameters ``workspace_id``, ``idem_key``, ``now``."""
    return and_(
        K.caller == caller,
        K.workspace_id == bindparam("workspace_id"),
        K.key == bindparam("idem_key"),
        K.expires_at > bindparam("now"),
    )


def answer_of(row: Mapping[Any, Any] | None) -> StoredAnswer | None:
    """The answer read by ``ANSWER_COLUMNS`` (None when the row has none)."""
    if row is None or row["idem_fingerprint"] is None:
        return None
    headers = row["idem_headers"]
    if isinstance(headers, str):  # asyncpg hands JSON columns over as text
        headers = json.loads(headers)
    return StoredAnswer(row["idem_fingerprint"], row["idem_status_code"], headers, bytes(row["idem_body"]))


def _live(caller: str, workspace_id: int, key: str, now: datetime) -> ColumnElement[bool]:
    return and_(K.caller == caller, K.workspace_id == workspace_id, K.key == key, K.expires_at > now)


async def load(
    session: AsyncSession, *, caller: str, workspace_id: int, key: str, now: datetime
) -> StoredAnswer | None:
    statement = select(*ANSWER_COLUMNS).where(_live(caller, workspace_id, key, now))
    return answer_of((await session.execute(statement)).mappings().first())


async def store(
    session: AsyncSession,
    *,
    caller: str,
    workspace_id: int,
    key: str,
    answer: StoredAnswer,
    now: datetime,
    expires_at: datetime,
    lock: int,
) -> str:
    """Insert the answer in the session's transaction, in one statement; a ``Stored`` value says what happened.

    On PostgreSQL the same statement tries the key's transaction-scoped advisory lock: held elsewhere, a
    concurrent request with the key has stored its answer and not yet committed (``IN_FLIGHT``). Then the
    insert is ``ON CONFLICT DO UPDATE ... WHERE expired``: a live answer already committed is ``TAKEN``. On
    SQLite writers are serialised, so there is no lock to try.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
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
    )
    if not postgres:
        return Stored.OURS if (await session.execute(statement.returning(K.id))).first() is not None else Stored.TAKEN
    # WITH ins AS (INSERT ... SELECT ... WHERE pg_try_advisory_xact_lock(...) ...) SELECT locked, stored
    locked = select(func.pg_try_advisory_xact_lock(bindparam("lock", lock, type_=BigInteger)).label("locked")).cte(
        "idem_lock"
    )
    row_values = select(*(literal(value, type_=K.__table__.c[name].type).label(name) for name, value in values.items()))
    guarded = insert(K).from_select(list(values), row_values.where(select(locked.c.locked).scalar_subquery()))
    upserted = (
        guarded.on_conflict_do_update(
            index_elements=[K.caller, K.workspace_id, K.key],
            set_={
                name: getattr(guarded.excluded, name)
                for name in values
                if name not in ("caller", "workspace_id", "key")
            },
            where=K.expires_at <= now,
        )
        .returning(K.id)
        .cte("idem_insert")
    )
    outcome = select(
        locked.c.locked, select(func.count()).select_from(upserted).scalar_subquery().label("inserted")
    ).add_cte(upserted)
    row = (await session.execute(outcome)).one()
    if not row.locked:
        return Stored.IN_FLIGHT
    return Stored.OURS if row.inserted else Stored.TAKEN


async def purge_expired(session: AsyncSession, *, now: datetime, batch: int = 1000) -> int:
    """Delete up to ``batch`` expired answers, oldest first, along the index on expires_at."""
    oldest = select(K.id).where(K.expires_at <= now).order_by(K.expires_at).limit(batch).scalar_subquery()
    result = await session.execute(delete(K).where(K.id.in_(oldest)).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
