"""``worktally user set-password``: a user's password; every browser session of theirs ends."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.cli.app import app
from worktally.cli.common import emit, fail, in_transaction, load_settings

user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _ask_new_password() -> str:
    """The new password, asked twice without echo; the prompts go to stderr (stdout is the JSON's)."""
    first = getpass.getpass("New password: ", stream=sys.stderr)
    if first != getpass.getpass("New password again: ", stream=sys.stderr):
        fail("the two passwords differ", 2)
    return first


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Option()],
    password: Annotated[str | None, typer.Option(help="Asked for (hidden) when not given.")] = None,
) -> None:
    """Set a user's password; every browser session of theirs ends (tokens stay valid)."""
    from worktally.auth.sessions import password_problem, set_password
    from worktally.workspace.bootstrap import get_user_by_email

    new_password = password if password is not None else _ask_new_password()
    if (problem := password_problem(new_password)) is not None:
        fail(problem, 2)
    settings = load_settings()

    async def work(session: AsyncSession) -> dict[str, Any] | None:
        user = await get_user_by_email(session, email)
        if user is None:
            return None
        await set_password(session, user.id, new_password)
        return {"user_id": user.id, "sessions_ended": True}

    result = in_transaction(settings, work)
    if result is None:
        fail(f"no user with e-mail {email}")
    emit(result)
