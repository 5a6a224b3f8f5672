"""Every query of the OAuth2 server, on a synchronous session (the grants run in a worker thread)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from worktally.db.models import OAuthAuthorizationCode, OAuthClient, OAuthToken, User


def get_client(session: Session, client_id: str) -> OAuthClient | None:
    """An active (not revoked) client."""
    return session.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
    ).scalar_one_or_none()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def add_authorization_code(session: Session, code: OAuthAuthorizationCode) -> None:
    session.add(code)
    session.flush()


def get_usable_code(session: Session, code_hash: str, client_id: str, now: datetime) -> OAuthAuthorizationCode | None:
    return session.execute(
        select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.code_hash == code_hash,
            OAuthAuthorizationCode.client_id == client_id,
            OAuthAuthorizationCode.used.is_(False),
            OAuthAuthorizationCode.expires_at > now,
        )
    ).scalar_one_or_none()


def mark_code_used(session: Session, code_id: int) -> bool:
    """Use a code once; False when another request used it first."""
    result = session.execute(
        update(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.id == code_id, OAuthAuthorizationCode.used.is_(False))
        .values(used=True)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_token(session: Session, token: OAuthToken) -> None:
    session.add(token)
    session.flush()


def get_active_refresh_token(session: Session, refresh_hash: str, now: datetime) -> OAuthToken | None:
    return session.execute(
        select(OAuthToken).where(
            OAuthToken.refresh_token_hash == refresh_hash,
            OAuthToken.refresh_revoked_at.is_(None),
            OAuthToken.refresh_expires_at > now,
        )
    ).scalar_one_or_none()


def find_token(
    session: Session, *, access_hash: str | None = None, refresh_hash: str | None = None
) -> OAuthToken | None:
    if access_hash is not None:
        stmt = select(OAuthToken).where(OAuthToken.access_token_hash == access_hash)
    elif refresh_hash is not None:
        stmt = select(OAuthToken).where(OAuthToken.refresh_token_hash == refresh_hash)
    else:
        return None
    return session.execute(stmt).scalar_one_or_none()


def revoke_refresh_token(session: Session, token_id: int, now: datetime) -> bool:
    """Rotation: the refresh token stops working; False when it was already used (a concurrent refresh)."""
    result = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token_id, OAuthToken.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_token_pair(session: Session, token_id: int, now: datetime) -> None:
    """RFC 7009: revoking either token of a pair revokes both (earlier revocation times are kept)."""
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token_id, OAuthToken.access_revoked_at.is_(None))
        .values(access_revoked_at=now)
    )
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token_id, OAuthToken.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=now)
    )


def get_used_code(session: Session, code_hash: str, client_id: str) -> OAuthAuthorizationCode | None:
    """A code of this client that was already exchanged (a replay)."""
    return session.execute(
        select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.code_hash == code_hash,
            OAuthAuthorizationCode.client_id == client_id,
            OAuthAuthorizationCode.used.is_(True),
        )
    ).scalar_one_or_none()


def revoke_family(session: Session, family: str, now: datetime) -> None:
    """Every token pair descending from one authorization stops working."""
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.family == family, OAuthToken.access_revoked_at.is_(None))
        .values(access_revoked_at=now)
    )
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.family == family, OAuthToken.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=now)
    )
