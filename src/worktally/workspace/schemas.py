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
    activated_at: str | None  # catalogue: "2025-02-19 19:24:55" (space-separated, no zone)
