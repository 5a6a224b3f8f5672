"""Personal access tokens (D7) and the lookup of any bearer token to an identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, bindparam, case, cast, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.principal import Identity
from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import Membership, OAuthToken, PersonalAccessToken, Workspace
from worktally.db.prepared import PreparedRead, RequestDb, Row
from worktally.idempotency.repository import ANSWER_COLUMNS, ANSWER_TABLE, StoredAnswer, answer_join, answer_of

PAT_PREFIX = "wtp_"
# The token family of a client_credentials issue (auth/oauth2/server.py): such a token is the app, not a user.
CLIENT_CREDENTIALS_FAMILY_PREFIX = "cc:"
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


async def revoke_personal_token(session: AsyncSession, token: str) -> bool:
    result = await session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.token_hash == hash_token(token), PersonalAccessToken.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_all_for_user(session: AsyncSession, user_id: int) -> None:
    """Every token of a user stops working at once (archived members, D12)."""
    now = utc_now()
    await session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.user_id == user_id, PersonalAccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.execute(
        update(OAuthToken)
        .where(
            OAuthToken.user_id == user_id,
            or_(OAuthToken.access_revoked_at.is_(None), OAuthToken.refresh_revoked_at.is_(None)),
        )
        .values(access_revoked_at=now, refresh_revoked_at=now)
    )


@dataclass(frozen=True, slots=True)
class Caller:
    """A bearer token's identity and, when a workspace was asked for, the active membership there (or None)."""

    identity: Identity
    workspace_id: int | None
    membership: Row | None
    # With an Idempotency-Key (D18): the answer stored for it in ``workspace_id``, read by the same statement.
    key_answer: StoredAnswer | None = None
    key_read: bool = False


# What a Principal needs of a membership and its workspace (api/deps.py: load_principal builds it).
MEMBERSHIP_COLUMNS = (
    Membership.role,
    Membership.rate_status,
    Membership.timezone,
    Workspace.owner_id,
    Workspace.timezone.label("workspace_timezone"),
)


def _identify_statement(
    token: type[PersonalAccessToken] | type[OAuthToken], *columns: Any, where: Any, keyed: bool = False
) -> PreparedRead:
    """Token and membership in one round trip (the membership row is all NULL when there is none).

    ``keyed``: the answer stored for the write's Idempotency-Key (D18, parameter ``idem_key``) comes along.
    """
    statement = (
        select(
            *columns,
            token.user_id,
            token.last_used_at,
            *MEMBERSHIP_COLUMNS,
            *(ANSWER_COLUMNS if keyed else ()),
        )
        .select_from(token)
        .outerjoin(
            Membership,
            and_(
                Membership.user_id == token.user_id,
                Membership.workspace_id == bindparam("workspace_id"),
                Membership.status == "active",
            ),
        )
        .outerjoin(Workspace, and_(Workspace.id == Membership.workspace_id, Workspace.status == "active"))
    )
    if keyed:
        statement = statement.outerjoin(ANSWER_TABLE, answer_join(_key_caller(token)))
    return PreparedRead(statement.where(*where))


def _key_caller(token: type[PersonalAccessToken] | type[OAuthToken]) -> Any:
    """Whose keys a token's writes use, in SQL: as ``idempotency.keys.caller_of`` says in Python."""
    user = literal("user:") + cast(token.user_id, String)
    if token is PersonalAccessToken:
        return user
    return case(
        (
            and_(OAuthToken.family.startswith(CLIENT_CREDENTIALS_FAMILY_PREFIX), OAuthToken.client_id.is_not(None)),
            literal("client:") + OAuthToken.client_id,
        ),
        else_=user,
    )


def _token_statements(keyed: bool) -> tuple[PreparedRead, PreparedRead]:
    pat = _identify_statement(
        PersonalAccessToken,
        PersonalAccessToken.id,
        PersonalAccessToken.scopes,
        where=(
            PersonalAccessToken.token_hash == bindparam("token_hash"),
            PersonalAccessToken.revoked_at.is_(None),
            PersonalAccessToken.expires_at > bindparam("now"),
        ),
        keyed=keyed,
    )
    oauth = _identify_statement(
        OAuthToken,
        OAuthToken.id,
        OAuthToken.scope.label("scopes"),
        OAuthToken.client_id,
        OAuthToken.family,
        where=(
            OAuthToken.access_token_hash == bindparam("token_hash"),
            OAuthToken.access_revoked_at.is_(None),
            OAuthToken.access_expires_at > bindparam("now"),
        ),
        keyed=keyed,
    )
    return pat, oauth


_PAT, _OAUTH = _token_statements(keyed=False)
_PAT_KEYED, _OAUTH_KEYED = _token_statements(keyed=True)


async def identify(
    db: RequestDb, token: str, workspace_id: int | None = None, *, idempotency_key: str | None = None
) -> Caller | None:
    """The caller behind a bearer token, or None if unknown, expired or revoked (D7).

    With ``workspace_id``, the same query also reads the caller's active membership of that active workspace,
    and with ``idempotency_key`` too the answer stored for that key there (D18).
    """
    keyed = idempotency_key is not None and workspace_id is not None
    table: type[PersonalAccessToken] | type[OAuthToken]
    if token.startswith(PAT_PREFIX):
        kind, statement, table = "pat", _PAT_KEYED if keyed else _PAT, PersonalAccessToken
    elif token.startswith(ACCESS_TOKEN_PREFIX):
        kind, statement, table = "oauth", _OAUTH_KEYED if keyed else _OAUTH, OAuthToken
    else:
        return None
    now = utc_now()
    params: dict[str, Any] = {"token_hash": hash_token(token), "now": now, "workspace_id": workspace_id}
    if keyed:
        params["idem_key"] = idempotency_key
    row = await statement.first(db, **params)
    if row is None:
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        session = await db.session()  # a write: in the request's transaction
        await session.execute(update(table).where(table.id == row["id"]).values(last_used_at=now))
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
