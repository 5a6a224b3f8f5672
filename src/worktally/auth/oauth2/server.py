"""The OAuth2 authorization server (D7), on Authlib's grants; nothing of the protocol is hand-rolled.

Authlib is synchronous and framework-agnostic. A request is read by the router (async), handed here as
an ``HttpRequest`` and served in a worker thread by a ``WorktallyAuthorizationServer`` made for that
request around one synchronous session: the transaction commits when the answer is a success and rolls
back when it is an OAuth error, so a refused exchange leaves nothing behind. The grants are in ``grants``.
Access tokens start with ``wta_`` (15 days), refresh tokens with ``wtr_`` (30 days); only hashes are stored.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import unquote

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from worktally.auth.oauth2 import repository
from worktally.auth.oauth2.grants import (
    CodeGrant,
    OwnerClientCredentialsGrant,
    PairRevocationEndpoint,
    RotatingRefreshTokenGrant,
    S256CodeChallenge,
    code_family,
)
from worktally.auth.oauth2.models import BUILTIN_CLIENTS, SCOPES, Client, GrantUser
from worktally.auth.token_repository import CLIENT_CREDENTIALS_FAMILY_PREFIX
from worktally.auth.tokens import ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX
from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import OAuthToken

log = logging.getLogger("worktally.oauth2")

ACCESS_TOKEN_LIFETIME = timedelta(days=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
GRANT_TYPES: tuple[str, ...] = ("authorization_code", "refresh_token", "client_credentials")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What the grants need of an HTTP request, read before entering the worker thread."""

    method: str
    url: str
    authorization: str | None
    query: tuple[tuple[str, str], ...]
    form: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OAuthResponse:
    status_code: int
    body: dict[str, Any] | str
    headers: tuple[tuple[str, str], ...]

    @property
    def location(self) -> str | None:
        return next((value for name, value in self.headers if name.lower() == "location"), None)


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A valid authorization request, waiting for the user's decision."""

    client_id: str
    client_name: str
    scopes: tuple[str, ...]
    redirect_uri: str


@dataclass(frozen=True, slots=True)
class AuthorizationRefused:
    """An authorization request that cannot go back to the client (unknown client or redirect URI)."""

    error: str
    description: str


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


def _usable_authorization(value: str | None) -> str | None:
    """Drop Basic credentials that are not valid base64 UTF-8 (Authlib would crash on them): no client."""
    if value is None:
        return None
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        if "\x00" in unquote(decoded):
            return None
    return value


class _Request(OAuth2Request):  # type: ignore[misc]
    """An OAuth2Request whose parameters come from the query (authorization) or the form (token)."""

    def __init__(self, http: HttpRequest, source: Literal["query", "form"]) -> None:
        authorization = _usable_authorization(http.authorization)
        if any("\x00" in value for _, value in (*http.query, *http.form)):
            # PostgreSQL text cannot hold NUL; no valid parameter contains one.
            raise InvalidRequestError("Parameters must not contain NUL characters.")
        # Authlib refuses plain http here unless the host is a loopback address (RFC 6749 §1.6, RFC 8252).
        super().__init__(
            method=http.method, uri=http.url, headers=Headers({"authorization": authorization} if authorization else {})
        )
        self._args = _Payload(http.query).data
        self._form = _Payload(http.form).data
        self.payload = _Payload(http.query if source == "query" else http.form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _access_token(**_kwargs: Any) -> str:
    return new_token(ACCESS_TOKEN_PREFIX)


def _refresh_token(**_kwargs: Any) -> str:
    return new_token(REFRESH_TOKEN_PREFIX)


def _expires_in(_client: Client, _grant_type: str) -> int:
    return int(ACCESS_TOKEN_LIFETIME.total_seconds())


class WorktallyAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """One per request, around that request's synchronous session."""

    def __init__(self, session: Session) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.session = session
        self.families_to_revoke: list[str] = []
        self.register_token_generator("default", BearerTokenGenerator(_access_token, _refresh_token, _expires_in))
        self.register_grant(CodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RotatingRefreshTokenGrant)
        self.register_grant(OwnerClientCredentialsGrant)
        self.register_endpoint(PairRevocationEndpoint)

    def revoke_family_on_refusal(self, family: str) -> None:
        """Revoke this token family even though the request itself is refused (and rolled back)."""
        self.families_to_revoke.append(family)

    def query_client(self, client_id: str) -> Client | None:
        if client_id in BUILTIN_CLIENTS:
            return BUILTIN_CLIENTS[client_id]
        row = repository.get_client(self.session, client_id)
        return Client.from_row(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        now = utc_now()
        client: Client = request.client
        # client_credentials has no user: the app acts as its owner (D7).
        user_id = request.user.id if request.user is not None else client.owner_user_id
        refresh = token.get("refresh_token")
        if request.authorization_code is not None:
            family = code_family(request.authorization_code.id)
        elif request.refresh_token is not None:
            family = request.refresh_token.family  # rotation keeps the family
        else:
            family = CLIENT_CREDENTIALS_FAMILY_PREFIX + secrets.token_hex(12)
        repository.add_token(
            self.session,
            OAuthToken(
                client_id=client.client_id,
                user_id=user_id,
                access_token_hash=hash_token(token["access_token"]),
                refresh_token_hash=hash_token(refresh) if refresh else None,
                scope=token.get("scope", ""),
                family=family,
                issued_at=now,
                access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
                refresh_expires_at=now + REFRESH_TOKEN_LIFETIME if refresh else None,
            ),
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if not isinstance(request, OAuth2Request):
            raise TypeError("requests reach the server already adapted (see HttpRequest)")
        return request

    def create_json_request(self, request: Any) -> Any:
        # Only JSON endpoints (dynamic client registration) need this; none is registered.
        raise NotImplementedError("no JSON endpoint is registered")

    def handle_response(self, status: int, body: Any, headers: Iterable[tuple[str, str]]) -> OAuthResponse:
        return OAuthResponse(status_code=status, body=body, headers=tuple(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        log.debug("oauth2 signal %s", name)


def _error_response(error: OAuth2Error) -> OAuthResponse:
    status, body, headers = error()
    return OAuthResponse(status_code=status, body=body, headers=tuple(headers))


def _run(engine: Engine, work: Callable[[WorktallyAuthorizationServer], OAuthResponse]) -> OAuthResponse:
    """One transaction: committed for a success, rolled back for an OAuth error."""
    with Session(engine, expire_on_commit=False) as session:
        session.begin()
        server = WorktallyAuthorizationServer(session)
        try:
            response = work(server)
        except OAuth2Error as error:
            response = _error_response(error)
        except BaseException:
            session.rollback()
            raise
        if response.status_code < 400:
            session.commit()
            return response
        session.rollback()
        if server.families_to_revoke:
            with session.begin():
                for family in server.families_to_revoke:
                    repository.revoke_family(session, family, utc_now())
        return response


def token_response(engine: Engine, http: HttpRequest) -> OAuthResponse:
    """``POST /oauth/token``."""
    return _run(engine, lambda server: server.create_token_response(_Request(http, "form")))


def revocation_response(engine: Engine, http: HttpRequest) -> OAuthResponse:
    """``POST /oauth/revoke``."""
    return _run(engine, lambda server: server.create_endpoint_response("revocation", _Request(http, "form")))


def _refusal_or_redirect(error: OAuth2Error, state: str | None) -> OAuthResponse | AuthorizationRefused:
    # RFC 6749 §4.1.2.1: errors go back to the client only once its redirect URI is known to be its own.
    if error.redirect_uri:
        error.state = state
        return _error_response(error)
    return AuthorizationRefused(error=error.error, description=error.description or error.error)


def check_authorization(engine: Engine, http: HttpRequest) -> ConsentRequest | OAuthResponse | AuthorizationRefused:
    """Validate ``GET /oauth/authorize``: what to ask the user, or the error."""
    state = dict(http.query).get("state")
    with Session(engine) as session, session.begin():
        server = WorktallyAuthorizationServer(session)
        try:
            grant = server.get_consent_grant(_Request(http, "query"), end_user=None)
        except OAuth2Error as error:
            return _refusal_or_redirect(error, state)
        client: Client = grant.client
        return ConsentRequest(
            client_id=client.client_id,
            client_name=client.name,
            scopes=tuple(grant.request.scope.split()),
            redirect_uri=grant.redirect_uri,
        )


def decide_authorization(
    engine: Engine, http: HttpRequest, *, user_id: int, approve: bool
) -> OAuthResponse | AuthorizationRefused:
    """The user's decision: a redirect to the client with a code, or with ``access_denied``."""
    state = dict(http.query).get("state")
    refused: AuthorizationRefused | None = None

    def work(server: WorktallyAuthorizationServer) -> OAuthResponse:
        nonlocal refused
        if repository.get_user(server.session, user_id) is None:
            refused = AuthorizationRefused(error="login_required", description="Sign in again.")
            return OAuthResponse(status_code=401, body="", headers=())
        user = GrantUser(user_id)
        try:
            request = _Request(http, "query")
            grant = server.get_consent_grant(request, end_user=user)
        except OAuth2Error as error:
            outcome = _refusal_or_redirect(error, state)
            if isinstance(outcome, AuthorizationRefused):
                refused = outcome
                return OAuthResponse(status_code=400, body="", headers=())
            return outcome
        response: OAuthResponse = server.create_authorization_response(
            request, grant_user=user if approve else None, grant=grant
        )
        return response

    response = _run(engine, work)
    return refused if refused is not None else response
