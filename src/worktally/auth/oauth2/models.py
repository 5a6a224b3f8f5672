"""Authlib's views of our rows: a client, an authorization code, a token pair, the user.

Plain values copied from the database rows, so that nothing lazy-loads outside the grant's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from worktally.auth.oauth2.redirect_uris import is_loopback_redirect
from worktally.core.clock import utc_now
from worktally.core.secrets import constant_time_equals, hash_token
from worktally.db.models import OAuthAuthorizationCode, OAuthClient, OAuthToken

SCOPES: tuple[str, ...] = ("read", "write", "admin")  # D7; admin ⊇ read + write
DEFAULT_SCOPE = "read write"
SECRET_AUTH_METHODS: tuple[str, ...] = ("client_secret_basic", "client_secret_post")


def normalise_scope(scopes: set[str] | frozenset[str]) -> str:
    return " ".join(s for s in SCOPES if s in scopes)


@dataclass(frozen=True, slots=True)
class GrantUser:
    """The resource owner a grant acts for."""

    id: int

    def get_user_id(self) -> int:
        return self.id


@dataclass(frozen=True, slots=True)
class Client(ClientMixin):  # type: ignore[misc]
    id: int
    client_id: str
    name: str
    owner_user_id: int
    client_secret_hash: str | None
    redirect_uris: tuple[str, ...]
    grant_types: frozenset[str]
    scope: frozenset[str]

    @classmethod
    def from_row(cls, row: OAuthClient) -> Client:
        return cls(
            id=row.id,
            client_id=row.client_id,
            name=row.name,
            owner_user_id=row.owner_user_id,
            client_secret_hash=row.client_secret_hash,
            redirect_uris=tuple(u for u in row.redirect_uris.splitlines() if u.strip()),
            grant_types=frozenset(row.grant_types.split()),
            scope=frozenset(row.scope.split()),
        )

    @property
    def is_public(self) -> bool:
        return self.client_secret_hash is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Only an unambiguous registration may omit redirect_uri from the request.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes this client may have; ``read write`` when none are asked for."""
        requested = set((scope or DEFAULT_SCOPE).split())
        allowed = normalise_scope(requested & self.scope)
        return allowed or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # D7: exact match

    def check_client_secret(self, client_secret: str) -> bool:
        if self.client_secret_hash is None:
            return False
        return constant_time_equals(self.client_secret_hash, hash_token(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in SECRET_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass(frozen=True, slots=True)
class LoopbackClient(Client):
    """A built-in public (native) client: any loopback redirect, any port (RFC 8252 §7.3); PKCE as for all public clients."""

    def get_default_redirect_uri(self) -> str | None:
        return None  # the port changes with every sign-in: the request must name its redirect URI

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return is_loopback_redirect(redirect_uri)


# The terminal client ``wt`` (D22): known to every server without registration, like a native app's client id.
CLI_CLIENT_ID = "wt"
CLI_CLIENT = LoopbackClient(
    id=0,
    client_id=CLI_CLIENT_ID,
    name="wt (Worktally terminal and MCP client)",
    owner_user_id=0,
    client_secret_hash=None,
    redirect_uris=(),
    grant_types=frozenset({"authorization_code", "refresh_token"}),
    scope=frozenset(SCOPES),
)
BUILTIN_CLIENTS: dict[str, Client] = {CLI_CLIENT_ID: CLI_CLIENT}


@dataclass(frozen=True, slots=True)
class AuthorizationCode(AuthorizationCodeMixin):  # type: ignore[misc]
    id: int
    user_id: int
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None

    @classmethod
    def from_row(cls, row: OAuthAuthorizationCode) -> AuthorizationCode:
        return cls(
            id=row.id,
            user_id=row.user_id,
            redirect_uri=row.redirect_uri,
            scope=row.scope,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
        )

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True, slots=True)
class Token(TokenMixin):  # type: ignore[misc]
    id: int
    client_id: str
    user_id: int
    scope: str
    family: str
    access_expires_at: datetime
    access_revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: OAuthToken) -> Token:
        return cls(
            id=row.id,
            client_id=row.client_id,
            user_id=row.user_id,
            scope=row.scope,
            family=row.family,
            access_expires_at=row.access_expires_at,
            access_revoked_at=row.access_revoked_at,
        )

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.access_expires_at - utc_now()).total_seconds()))

    def is_expired(self) -> bool:
        return self.access_expires_at <= utc_now()

    def is_revoked(self) -> bool:
        return self.access_revoked_at is not None
