"""The operator CLI (D7). Each command prints exactly one JSON object on stdout; logs and errors go to stderr.

One module per command group; importing them registers their commands on ``app``. An error is one line on
stderr (``error: ...``) and a non-zero exit, never a traceback (``common.py``).
"""

from __future__ import annotations

from worktally.cli import bootstrap, demo, oauth_clients, server, tokens, users
from worktally.cli.app import app
from worktally.cli.server import worker  # `python -m worktally.worker`

__all__ = ["app", "bootstrap", "demo", "oauth_clients", "server", "tokens", "users", "worker"]
