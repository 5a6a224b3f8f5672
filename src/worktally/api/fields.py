"""Field types shared by request schemas: ids that fit their columns, text PostgreSQL can store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, Field, StringConstraints

from worktally.core.timezones import is_known_zone
from worktally.db.repository import MAX_ID, valid_id

__all__ = ["MAX_ID", "Id", "NoNul", "Text", "Timezone", "id_query", "valid_id"]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def id_query(description: str | None = None) -> Any:
    """A query parameter that holds an integer id (D4): ``Id``'s bounds, a 422 beyond them."""
    return Query(ge=1, le=MAX_ID, description=description)


def no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here as a field error instead.
    if "\x00" in value:
        raise ValueError("The value must not contain NUL characters")
    return value


NoNul = AfterValidator(no_nul)
# D2: text from a request, refused with a field error (not stored on SQLite and refused by PostgreSQL).
Text = Annotated[str, NoNul]


def iana_timezone(value: str) -> str:
    # D9: IANA names only (``localtime`` would be the server's own zone, whatever that is).
    if not is_known_zone(value):
        raise ValueError("The timezone must be a valid IANA time zone, such as America/New_York.")
    return value


Timezone = Annotated[str, StringConstraints(max_length=64), AfterValidator(iana_timezone)]
