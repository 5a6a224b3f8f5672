"""Which resource an event is about (D19): its kind in the feed, its id, upsert or delete, whose it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worktally.auth.permissions import is_staff_role


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the feed's ``type``
    id_key: str = "id"  # the field of the event's data that holds the resource's id
    user_key: str | None = None  # ... the member it belongs to (visibility by member)
    project_key: str | None = None  # ... the project it belongs to (visibility by project)
    money_keys: tuple[str, ...] = ()  # D6: null unless the reader sees this member's rates


# By the event type's prefix (``time_entry.created`` → ``time_entry``).
KINDS: dict[str, Kind] = {
    kind.name if prefix is None else prefix: kind
    for prefix, kind in (
        (None, Kind("member", user_key="id", money_keys=("rate",))),
        (None, Kind("team")),
        (None, Kind("project", project_key="id", money_keys=("rate", "budget_estimation"))),
        (None, Kind("contract", user_key="user_id", project_key="project_id", money_keys=("rate",))),
        (None, Kind("task", project_key="project_id")),
        (None, Kind("project_viewer", user_key="id")),
        (None, Kind("time_entry", user_key="user_id", project_key="project_id", money_keys=("rate", "amount"))),
        ("tracker", Kind("tracking", id_key="user_id", user_key="user_id", project_key="project_id")),
        (None, Kind("time_request", user_key="user_id", project_key="project_id")),
        (None, Kind("timesheet", user_key="user_id", money_keys=("total_amount",))),
        (None, Kind("leave", user_key="user_id")),
        (None, Kind("leave_policy", user_key="user_id")),  # user_id: only on a withdrawal, for that member
        (None, Kind("expense", user_key="user_id", project_key="project_id")),
        (None, Kind("expense_category")),
        (None, Kind("webhook")),
    )
}

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS.values()}

# Events whose resource is gone from its lists afterwards (a member who left is still listed, as `left`).
DELETE_EVENTS = frozenset(
    {
        "project.deleted",
        "contract.deleted",
        "task.deleted",
        "time_entry.deleted",
        "tracker.stopped",
        "expense.deleted",
        "team.deleted",
        "project_viewer.deleted",
        "leave_policy.deleted",
        "leave_policy.withdrawn",
        "expense_category.deleted",
        "webhook.deleted",
    }
)
# Recorded together with another event about the same change (member.deleted), so no second change.
NOT_A_CHANGE = frozenset({"member.archived"})


# The rows that say a member's reach changed (change/reach.py): type and op ``reach``, never listed.
REACH = "reach"
_REACH_KIND = Kind(REACH, user_key="id")


def reach_kind() -> Kind:
    return _REACH_KIND


@dataclass(frozen=True, slots=True)
class ChangeRef:
    kind: Kind
    resource_id: str
    op: str
    user_id: int | None
    project_id: int | None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def change_of(event_type: str, data: dict[str, Any]) -> ChangeRef | None:
    """The change an event records, or None (not a resource's lifecycle: a test event, a duplicate)."""
    if event_type in NOT_A_CHANGE:
        return None
    kind = KINDS.get(event_type.split(".", 1)[0])
    if kind is None or data.get(kind.id_key) is None:
        return None
    if kind.name == "member" and not is_staff_role(data.get("current_role")):
        return None  # the members list leaves viewers out; they are the project_viewer kind's (its own events)
    return ChangeRef(
        kind=kind,
        resource_id=str(data[kind.id_key]),
        op="delete" if event_type in DELETE_EVENTS else "upsert",
        user_id=_int(data.get(kind.user_key)) if kind.user_key else None,
        project_id=_int(data.get(kind.project_key)) if kind.project_key else None,
    )
