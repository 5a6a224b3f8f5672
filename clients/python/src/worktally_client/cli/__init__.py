"""``wt``: the member's and manager's terminal client (D22). ``wt --help`` lists the commands."""

from worktally_client.cli.app import app, main

__all__ = ["app", "main"]
