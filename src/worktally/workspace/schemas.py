from __future__ import annotations

from pydantic import BaseModel

from worktally.api.envelope import UTCDatetime


class WorkspaceRead(BaseModel):
    id: int
    owner_id: int
    user_id: int
    workspace_name: str
    role: str
    status: str
    created_at: UTCDatetime
    # The catalogue shows "2025-02-19 19:24:55"; D1 writes it as every other datetime.
    activated_at: UTCDatetime | None
