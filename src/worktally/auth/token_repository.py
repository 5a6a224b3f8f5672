"""The token tables' statements (D7): revoking, and the one round trip that authenticates a request — the
bearer token with the caller's membership of the workspace asked for and, for a write with an
Idempotency-Key, the answer stored for it (D18). ``auth/tokens.py`` is what issues and identifies tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, case, cast, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token
from worktally.db.models import Membership, OAuthToken, PersonalAccessToken, Workspace
from worktally.db.prepared import PreparedRead
from worktally.idempotency.repository import ANSWER_COLUMNS, ANSWER_TABLE, answer_join

# The token family of a client_credentials issue (auth/oauth2/server.py): such a token is the app, not a user.
CLIENT_CREDENTIALS_FAMILY_PREFIX = "cc:"
TokenTable = type[PersonalAccessToken] | type[OAuthToken]


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


# What a Principal needs of a membership and its workspace (api/deps.py: load_principal builds it).
MEMBERSHIP_COLUMNS = (
    Membership.role,
    Membership.rate_status,
    Membership.timezone,
    Workspace.owner_id,
    Workspace.timezone.label("workspace_timezone"),
)


def _identify_statement(token: TokenTable, *columns: Any, where: Any, keyed: bool = False) -> PreparedRead:
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


def _key_caller(token: TokenTable) -> Any:
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


def identify_statement(kind: str, *, keyed: bool) -> PreparedRead:
    """``kind`` "pat" or "oauth": the token (by ``token_hash``, live at ``now``) and the caller's membership of
    ``workspace_id``; ``keyed``: and the answer stored for ``idem_key``."""
    if kind == "pat":
        return _PAT_KEYED if keyed else _PAT
    return _OAUTH_KEYED if keyed else _OAUTH


async def touch_last_used(session: AsyncSession, table: TokenTable, token_id: int, now: datetime) -> None:
    await session.execute(update(table).where(table.id == token_id).values(last_used_at=now))
