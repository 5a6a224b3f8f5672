"""What the OpenAPI document says that no per-request dependency declares (each one costs on every request).

- Authentication (D7): both schemes, on every API operation. It reads the header itself (``api/deps.py:
  bearer_token``); FastAPI's security classes are used here only for their documented form.
- ``workspace_id`` (D3): the query parameter of every operation whose ``require(...)`` reads it.
- ``Idempotency-Key`` (D18): the header parameter of every write (``api/deps.py: TransactionalRoute`` reads it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer, OAuth2AuthorizationCodeBearer

from worktally.api.deps import WORKSPACE_ID_DESCRIPTION

# A personal access token or an OAuth2 access token, both sent as a bearer token.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A personal access token (`wtp_…`) or an OAuth2 access token (`wta_…`).",
)

# The same header, documented as the catalogue does ("oauth2 or apiKey"): OAuth2 clients find the flow here.
oauth2_scheme = OAuth2AuthorizationCodeBearer(
    authorizationUrl="/oauth/authorize",
    tokenUrl="/oauth/token",
    refreshUrl="/oauth/token",
    scopes={"read": "Read access", "write": "Create, change and delete", "admin": "read and write"},
    scheme_name="oauth2",
    auto_error=False,
)

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    scheme.scheme_name: scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for scheme in (bearer_scheme, oauth2_scheme)
}
SECURITY_REQUIREMENT: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]


WORKSPACE_ID_PARAMETER: dict[str, Any] = {
    "name": "workspace_id",
    "in": "query",
    "required": False,
    "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Workspace Id"},
    "description": WORKSPACE_ID_DESCRIPTION,
}


IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": (
        "Extension (D18): 1 to 255 visible ASCII characters, unique per intended write. A repeat within "
        "the retention (24 hours by default) with the same method, path and body answers the first 2xx "
        "response again with `Idempotent-Replayed: true`, without a second effect; the same key for another "
        "request is 422 `idempotency_key_reused`; while the first is still running, 409 "
        "`idempotency_key_in_flight` with `Retry-After: 1`. Refused (4xx) requests are not stored."
    ),
    "x-worktally-extension": True,
}
_WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _reads_workspace_id(dependant: Dependant) -> bool:
    return getattr(dependant.call, "reads_workspace_id", False) or any(
        _reads_workspace_id(sub) for sub in dependant.dependencies
    )


def document_api(app: FastAPI, routes: Iterable[APIRoute]) -> None:
    """Adds the security schemes, each operation's security requirement and ``workspace_id`` to ``app.openapi()``."""
    operations = [
        (route.path_format, method.lower(), _reads_workspace_id(route.dependant))
        for route in routes
        for method in route.methods or ()
    ]
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
        for path, method, reads_workspace_id in operations:
            operation = schema.get("paths", {}).get(path, {}).get(method)
            if operation is None:
                continue
            operation["security"] = SECURITY_REQUIREMENT
            parameters = operation.setdefault("parameters", [])
            if reads_workspace_id and not any(p.get("name") == "workspace_id" for p in parameters):
                parameters.append(WORKSPACE_ID_PARAMETER)
            if method in _WRITE_METHODS and not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
