"""The roles' names live in ``auth.permissions`` (issue #13): ``Role``, and the ``AssignableRole`` subset the
member schemas offer, which must be every role but Owner (catalogue §1.7)."""

from __future__ import annotations

from typing import get_args

from worktally.auth.permissions import AssignableRole, Role, is_staff_role
from worktally.member.schemas import MemberInvite, MemberRead, MemberUpdate


def test_assignable_roles_are_every_role_but_owner() -> None:
    assert get_args(AssignableRole) == tuple(role.value for role in Role if role is not Role.OWNER)


def test_the_member_schemas_list_the_roles_of_role() -> None:
    read = MemberRead.model_json_schema(mode="serialization")
    role_schema = read["$defs"]["Role"]
    assert role_schema["enum"] == [role.value for role in Role]
    for model in (MemberInvite, MemberUpdate):
        schema = model.model_json_schema()
        enums = [s["enum"] for s in _walk(schema["properties"]["role"]) if "enum" in s]
        assert enums == [list(get_args(AssignableRole))], model


def test_only_a_project_viewer_is_not_staff() -> None:
    assert [role for role in Role if not is_staff_role(role)] == [Role.PROJECT_VIEWER]
    assert not is_staff_role(None)


def _walk(schema: dict[str, object]) -> list[dict[str, object]]:
    found = [schema]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):  # type: ignore[attr-defined]
            found.extend(_walk(sub))
    return found
