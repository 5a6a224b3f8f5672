"""The one rule of a partial update (PUT): the fields a body gives change, the others stay as they are.

A field that may be empty (a note, a team, a rate) is cleared by a null: a service tests it with
``"x" in given``. A field that may not (a name, a status) refuses a null with a 422 naming it — never a
silent no-op — so after ``given_fields`` a service stores it when ``body.x is not None`` (typed, and true
exactly when it was given).
"""

from __future__ import annotations

from pydantic import BaseModel

from worktally.core.errors import ValidationError


def null_message(field: str) -> str:
    return f"The {field} field cannot be null."


def given_fields(body: BaseModel, *not_null: str) -> frozenset[str]:
    """The fields ``body`` gives; a 422 (every offending field at once) when one of ``not_null`` is given as null."""
    given = body.model_fields_set
    nulls = {field: [null_message(field)] for field in not_null if field in given and getattr(body, field) is None}
    if nulls:
        raise ValidationError(nulls)
    return frozenset(given)
