"""Token generation and hashing, and the session-signing key file.

Tokens are stored only as SHA-256 hashes (high entropy, so no salt).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path


def new_token(prefix: str, nbytes: int = 32) -> str:
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class SecretKeyFileError(Exception):
    """The session-signing key file cannot be used; the message is one line for the operator."""


def load_or_create_key_file(path: Path) -> str:
    """The key in ``path``, created once (mode 0600) when it does not exist (D7).

    A file that group or others may read or write is refused: whoever reads the key can forge a session.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    except OSError as exc:
        raise SecretKeyFileError(f"cannot create the session key file {path}: {exc.strerror}") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever the umask
        handle.write(key + "\n")
    return key


def _read_key_file(path: Path) -> str:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise SecretKeyFileError(
                f"the session key file {path} is accessible by group or others (mode {mode:04o}); "
                f"run `chmod 600 {path}` or set WORKTALLY_SECRET_KEY"
            )
        key = path.read_text().strip()
    except OSError as exc:
        raise SecretKeyFileError(f"cannot read the session key file {path}: {exc.strerror}") from None
    if not key:
        raise SecretKeyFileError(f"the session key file {path} is empty; delete it to have a new key generated")
    return key
