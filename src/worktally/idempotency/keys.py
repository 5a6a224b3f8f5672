"""The key itself: its form, the caller it belongs to, and the request's fingerprint (D18)."""

from __future__ import annotations

import hashlib
import re

from worktally.auth.principal import Identity
from worktally.core.errors import AppError, BadRequestError, ConflictError

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_LENGTH = 255

_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]{1,255}")


class IdempotencyKeyReusedError(AppError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used for another request (method, path or body)."


class IdempotencyKeyInFlightError(ConflictError):
    code = "idempotency_key_in_flight"
    message = "A request with this Idempotency-Key is still being processed; retry shortly."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


def parse_key(raw: str) -> str:
    """The key as given, or 400 ``invalid_idempotency_key``."""
    if not _VISIBLE_ASCII.fullmatch(raw):
        raise BadRequestError(
            f"Idempotency-Key must be 1 to {MAX_LENGTH} visible ASCII characters.", code="invalid_idempotency_key"
        )
    return raw


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def caller_of(identity: Identity) -> str:
    """Whose keys these are: the user, or the OAuth app for a client-credentials token (D18)."""
    if identity.client_credentials and identity.client_id:
        return f"client:{identity.client_id}"
    return f"user:{identity.user_id}"


def lock_id(caller: str, workspace_id: int, key: str) -> int:
    """A signed 64-bit advisory lock id for (caller, workspace, key)."""
    digest = hashlib.sha256(f"idempotency\0{caller}\0{workspace_id}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
