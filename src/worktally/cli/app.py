"""The Typer applications; each command group's module registers its commands on them."""

from __future__ import annotations

import typer

app = typer.Typer(help="Worktally: a self-hostable WebWork Time Tracker REST API V2 server.", no_args_is_help=True)
token_app = typer.Typer(help="Personal access tokens.", no_args_is_help=True)
oauth_app = typer.Typer(help="OAuth2 client applications.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(oauth_app, name="oauth-client")
