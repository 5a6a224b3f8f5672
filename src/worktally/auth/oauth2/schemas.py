"""The OAuth2 endpoints' own JSON (RFC 6749 §5, RFC 8414), not the API envelope (D7)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str = Field(examples=["wta_…"])
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(description="Seconds (15 days).", examples=[1296000])
    refresh_token: str | None = Field(default=None, description="Not issued for client_credentials.")
    scope: str = Field(examples=["read write"])


class OAuthErrorResponse(BaseModel):
    """RFC 6749 §5.2."""

    error: str = Field(examples=["invalid_grant"])
    error_description: str | None = None
    error_uri: str | None = None


class TokenRequestForm(BaseModel):
    """``application/x-www-form-urlencoded``; client credentials by HTTP Basic or in the form."""

    grant_type: str = Field(description="authorization_code | refresh_token | client_credentials")
    code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = Field(default=None, description="PKCE (RFC 7636); required of public clients.")
    refresh_token: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class RevocationRequestForm(BaseModel):
    """RFC 7009 §2.1."""

    token: str
    token_type_hint: str | None = Field(default=None, description="access_token | refresh_token")
    client_id: str | None = None
    client_secret: str | None = None


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414 §2."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str
    scopes_supported: list[str]
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    code_challenge_methods_supported: list[str]


def form_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a form body that the handler reads itself (errors stay RFC-shaped)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": model.model_json_schema()}},
        }
    }
