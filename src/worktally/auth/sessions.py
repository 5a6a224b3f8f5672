"""Browser sessions that end everywhere at once, and the password change that ends them (issue #12).

A browser session is Starlette's signed cookie; it carries the user's id and the ``session_version`` the
user had when they signed in. ``worktally.web.session`` compares that number with the user's current one
on every browser request and drops the session when they differ. Raising the number therefore ends every
session of the user, in every browser, at once: signing out, changing the password and archiving the
member all do it. Bearer tokens are a separate credential, revoked on their own (``auth.tokens``).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.errors import ValidationError
from worktally.core.passwords import hash_password
from worktally.db.models import User

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything; this only bounds the work per request


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None when it can (D7: at least 8 characters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must be at most {MAX_PASSWORD_LENGTH} characters."
    if "\x00" in password:
        return "The password must not contain a NUL character."
    return None


async def end_sessions(session: AsyncSession, user_id: int) -> int:
    """End every browser session of the user; returns the new session version (0 for no such user)."""
    await session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
    version = (await session.execute(select(User.session_version).where(User.id == user_id))).scalar_one_or_none()
    return version or 0


async def set_password(session: AsyncSession, user_id: int, password: str) -> int:
    """Give the user a new password and end every session they have; returns the new session version.

    Raises ``ValidationError`` (on ``password``) when the password is not acceptable.
    """
    problem = password_problem(password)
    if problem is not None:
        raise ValidationError({"password": [problem]})
    password_hash = await asyncio.to_thread(hash_password, password)  # argon2 takes a while: off the loop
    await session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
    return await end_sessions(session, user_id)
