"""``worktally bootstrap``: the first owner and workspace, or another workspace for an existing user (D7)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.cli.app import app
from worktally.cli.common import emit, fail, in_transaction, load_settings, migrate_database

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_WORKSPACE_NAME_LENGTH = 200  # workspaces.name
MAX_PERSON_NAME_LENGTH = 100  # users.firstname / lastname


def checked_email(value: str) -> str:
    try:
        # Self-hosted installs use internal domains, so deliverability is not checked (as for members).
        checked = validate_email(value, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError as exc:
        fail(f"--email must be an e-mail address: {exc}", 2)
    return checked.normalized.lower()


def checked_text(option: str, value: str | None, maximum: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > maximum or any(ord(ch) < 32 for ch in text):
        fail(f"{option} must be 1 to {maximum} printable characters", 2)
    return text


def checked_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        fail(f"the password must be at least {MIN_PASSWORD_LENGTH} characters", 2)
    if len(value) > MAX_PASSWORD_LENGTH or "\x00" in value:
        fail(f"the password must be at most {MAX_PASSWORD_LENGTH} characters, without NUL", 2)
    return value


@app.command()
def bootstrap(
    email: Annotated[str, typer.Option()],
    workspace: Annotated[str, typer.Option(help="The new workspace's name.")],
    password: Annotated[
        str | None, typer.Option(help="At least 8 characters; asked for (hidden) when not given.")
    ] = None,
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    existing_user: Annotated[
        bool,
        typer.Option("--existing-user", help="Add the workspace to this existing account (its password is checked)."),
    ] = False,
) -> None:
    """Create the owner, the workspace and a read+write token."""
    from worktally.auth.tokens import create_personal_token
    from worktally.core.passwords import verify_password
    from worktally.workspace.bootstrap import create_user, create_workspace, get_user_by_email

    address = checked_email(email)
    workspace_name = checked_text("--workspace", workspace, MAX_WORKSPACE_NAME_LENGTH)
    if not existing_user:
        firstname = checked_text("--first-name", first_name, MAX_PERSON_NAME_LENGTH)
        lastname = checked_text("--last-name", last_name, MAX_PERSON_NAME_LENGTH)
        if password is None:
            password = typer.prompt("Password for the new owner", hide_input=True, confirmation_prompt=True, err=True)
        password = checked_password(password)
    elif password is None:
        password = typer.prompt(f"Password of {address}", hide_input=True, err=True)
    settings = load_settings()
    migrate_database(settings)

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, address)
        if existing_user:
            if user is None:
                fail(f"no user with e-mail {address}; leave out --existing-user to create one")
            if not verify_password(user.password_hash, password):
                fail(f"the password of {address} is not correct")
        elif user is not None:
            fail(f"a user with e-mail {address} already exists; pass --existing-user to add a workspace to it")
        else:
            user = await create_user(session, email=address, firstname=firstname, lastname=lastname, password=password)
        created = await create_workspace(session, owner=user, name=workspace_name)
        issued = await create_personal_token(session, user_id=user.id, name="bootstrap")
        return {"user_id": user.id, "workspace_id": created.id, "token": issued.token}

    emit(in_transaction(settings, work))
