"""Personal access tokens (D7) and the lookup of any bearer token to an identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth import token_repository as repository
from worktally.auth.principal import Identity
from worktally.auth.token_repository import CLIENT_CREDENTIALS_FAMILY_PREFIX, TokenTable
from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import OAuthToken, PersonalAccessToken
from worktally.db.prepared import RequestDb, Row
from worktally.idempotency.repository import StoredAnswer, answer_of

PAT_PREFIX = "wtp_"
ACCESS_TOKEN_PREFIX = "wta_"
REFRESH_TOKEN_PREFIX = "wtr_"
PAT_LIFETIME = timedelta(days=182)  # about six months
LAST_USED_RESOLUTION = timedelta(minutes=1)  # do not write on every request


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    id: int


def parse_scopes(raw: str) -> frozenset[str]:
    return frozenset(s for s in raw.replace(",", " ").split() if s)


async def create_personal_token(
    session: AsyncSession,
    *,
    user_id: int,
    name: str = "API token",
    scopes: frozenset[str] = frozenset({"read", "write"}),
    lifetime: timedelta = PAT_LIFETIME,
) -> IssuedToken:
    token = new_token(PAT_PREFIX)
    now = utc_now()
    row = PersonalAccessToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        scopes=" ".join(sorted(scopes)),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(token=token, expires_at=row.expires_at, id=row.id)


@dataclass(frozen=True, slots=True)
class Caller:
    """A bearer token's identity and, when a workspace was asked for, the active membership there (or None)."""

    identity: Identity
    workspace_id: int | None
    membership: Row | None
    # With an Idempotency-Key (D18): the answer stored for it in ``workspace_id``, read by the same statement.
    key_answer: StoredAnswer | None = None
    key_read: bool = False


async def identify(
    db: RequestDb, token: str, workspace_id: int | None = None, *, idempotency_key: str | None = None
) -> Caller | None:
    """The caller behind a bearer token, or None if unknown, expired or revoked (D7).

    With ``workspace_id``, the same query also reads the caller's active membership of that active workspace,
    and with ``idempotency_key`` too the answer stored for that key there (D18).
    """
    keyed = idempotency_key is not None and workspace_id is not None
    table: TokenTable
    if token.startswith(PAT_PREFIX):
        kind, table = "pat", PersonalAccessToken
    elif token.startswith(ACCESS_TOKEN_PREFIX):
        kind, table = "oauth", OAuthToken
    else:
        return None
    statement = repository.identify_statement(kind, keyed=keyed)
    now = utc_now()
    params: dict[str, Any] = {"token_hash": hash_token(token), "now": now, "workspace_id": workspace_id}
    if keyed:
        params["idem_key"] = idempotency_key
    row = await statement.first(db, **params)
    if row is None:
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        session = await db.session()  # a write: in the request's transaction
        await repository.touch_last_used(session, table, row["id"], now)
    identity = Identity(
        user_id=row["user_id"],
        scopes=parse_scopes(row["scopes"]),
        token_kind=kind,
        token_id=row["id"],
        client_id=row["client_id"] if kind == "oauth" else None,
        client_credentials=kind == "oauth" and row["family"].startswith(CLIENT_CREDENTIALS_FAMILY_PREFIX),
    )
    membership = row if workspace_id is not None and row["owner_id"] is not None else None
    return Caller(
        identity=identity,
        workspace_id=workspace_id,
        membership=membership,
        key_answer=answer_of(row) if keyed else None,
        key_read=keyed,
    )
