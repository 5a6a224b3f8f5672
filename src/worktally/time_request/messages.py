"""The catalogue's Slack-ready messages for time requests (seed 000), word for word.

Missing parts are left out with their separator: no project → no ``| Project: …``, no task → no
``| Task: …``, no activity → no ``| Activity: …``. Dates and times are the member's (D9); the
moment of an approval or rejection is given in the approver's timezone.
"""

from __future__ import annotations

from datetime import datetime


def created(
    user_name: str,
    start: datetime,
    end: datetime,
    *,
    project_name: str | None,
    task_title: str | None,
    activity: str | None,
) -> str:
    message = f"Time request created for {user_name} on {start:%Y-%m-%d} ({start:%H:%M} - {end:%H:%M})"
    if project_name:
        message += f" | Project: {project_name}"
    if task_title:
        message += f" | Task: {task_title}"
    if activity and activity.strip():
        message += f" | Activity: {activity.strip()}"
    return message


def approved(approver_name: str, at: datetime) -> str:
    return f"Time request approved by {approver_name} at {at:%Y-%m-%d %H:%M:%S}"


def rejected(rejecter_name: str, at: datetime, reason: str) -> str:
    return f"Time request rejected by {rejecter_name} at {at:%Y-%m-%d %H:%M:%S} | Reason: {reason}"
