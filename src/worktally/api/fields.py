"""Field types shared by request schemas: ids that fit their columns, text PostgreSQL can store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

# Integer ids are 32-bit columns on PostgreSQL; anything larger cannot exist (and must not reach the driver).
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here as a field error instead.
    if "\x00" in value:
        raise ValueError("The value must not contain NUL characters")
    return value


NoNul = AfterValidator(no_nul)
