"""Field types shared by request schemas: ids that fit their columns, text PostgreSQL can store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from worktally.core.timezones import is_known_zone

# Integer ids are 32-bit columns on PostgreSQL; anything larger cannot exist (and must not reach the driver).
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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
