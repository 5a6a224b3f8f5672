"""Token generation and hashing, and the session-signing key file.

Tokens are stored only as SHA-256 hashes (high entropy, so no salt).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
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
    The new key is written to a private temporary file first and then linked into place, so that processes
    starting together either create the file whole or read the one that another of them created.
    """
    if path.exists():
        return _read_key_file(path)
    key = secrets.token_urlsafe(48)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".worktally-key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(key + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temporary, path)
        finally:
            os.unlink(temporary)
    except FileExistsError:
        return _read_key_file(path)
    except OSError as exc:
        raise SecretKeyFileError(f"cannot create the session key file {path}: {exc.strerror}") from None
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
