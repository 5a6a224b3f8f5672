"""Authlib's grants and endpoints on our tables (D7). Each works on its server's session (``server.session``).

- ``authorization_code`` with PKCE (RFC 7636): S256 only, required of public clients.
- ``refresh_token`` with rotation: each use issues a new pair and the old refresh token stops working.
- ``client_credentials``: confidential clients only, acting as the app's owner.
- Revocation (RFC 7009): either token of a pair revokes both.

Pairs descending from one authorization form a family (``OAuthToken.family``): a code exchanged twice
or a rotated refresh token used again means a leak, and the whole family is revoked even though the
request itself is refused (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, ClientCredentialsGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy.orm import Session

from worktally.auth.oauth2 import repository
from worktally.auth.oauth2.models import SECRET_AUTH_METHODS, AuthorizationCode, Client, GrantUser, Token
from worktally.auth.tokens import ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX
from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token
from worktally.db.models import OAuthAuthorizationCode

AUTHORIZATION_CODE_LIFETIME = timedelta(minutes=10)
CLIENT_AUTH_METHODS: tuple[str, ...] = (*SECRET_AUTH_METHODS, "none")
CODE_CHALLENGE_METHODS: tuple[str, ...] = ("S256",)


def code_family(code_id: int) -> str:
    return f"code:{code_id}"


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """RFC 7636 with S256 only, and required of public clients already at the authorization request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = list(CODE_CHALLENGE_METHODS)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        if not challenge and grant.request.client.is_public:
            raise InvalidRequestError("Public clients must use PKCE: send 'code_challenge' (S256).")
        super().validate_code_challenge(grant, redirect_uri)
        if challenge and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)

    @property
    def session(self) -> Session:
        session: Session = self.server.session
        return session

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        now = utc_now()
        data = request.payload.data
        repository.add_authorization_code(
            self.session,
            OAuthAuthorizationCode(
                code_hash=hash_token(code),
                client_id=request.client.client_id,
                user_id=request.user.id,
                redirect_uri=request.payload.redirect_uri or "",
                scope=request.scope,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                created_at=now,
                expires_at=now + AUTHORIZATION_CODE_LIFETIME,
                used=False,
            ),
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        code_hash = hash_token(code)
        row = repository.get_usable_code(self.session, code_hash, client.client_id, utc_now())
        if row is None:
            replayed = repository.get_used_code(self.session, code_hash, client.client_id)
            if replayed is not None:
                # RFC 6749 §4.1.2: a code used twice revokes what was issued for it.
                self.server.revoke_family_on_refusal(code_family(replayed.id))
            return None
        return AuthorizationCode.from_row(row)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        # Single use even under concurrent exchanges: only one request flips ``used``.
        if not repository.mark_code_used(self.session, authorization_code.id):
            self.server.revoke_family_on_refusal(code_family(authorization_code.id))
            raise InvalidGrantError("Invalid 'code' in request.")

    def authenticate_user(self, authorization_code: AuthorizationCode) -> GrantUser:
        return GrantUser(authorization_code.user_id)


class RotatingRefreshTokenGrant(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    @property
    def session(self) -> Session:
        session: Session = self.server.session
        return session

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        if not refresh_token.startswith(REFRESH_TOKEN_PREFIX):
            return None
        digest = hash_token(refresh_token)
        row = repository.get_active_refresh_token(self.session, digest, utc_now())
        if row is None:
            used = repository.find_token(self.session, refresh_hash=digest)
            if used is not None and used.refresh_revoked_at is not None:
                # RFC 9700 §4.14.2: a rotated refresh token used again means it leaked; end the family.
                self.server.revoke_family_on_refusal(used.family)
            return None
        return Token.from_row(row)

    def authenticate_user(self, refresh_token: Token) -> GrantUser:
        return GrantUser(refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # A concurrent refresh with the same token loses: it was used once already.
        if not repository.revoke_refresh_token(self.session, refresh_token.id, utc_now()):
            self.server.revoke_family_on_refusal(refresh_token.family)
            raise InvalidGrantError()


class OwnerClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(SECRET_AUTH_METHODS)


class PairRevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)

    @property
    def session(self) -> Session:
        session: Session = self.server.session
        return session

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        digest = hash_token(token_string)
        if token_string.startswith(ACCESS_TOKEN_PREFIX):
            row = repository.find_token(self.session, access_hash=digest)
        elif token_string.startswith(REFRESH_TOKEN_PREFIX):
            row = repository.find_token(self.session, refresh_hash=digest)
        else:
            row = None
        return Token.from_row(row) if row is not None else None

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        repository.revoke_token_pair(self.session, token.id, utc_now())
