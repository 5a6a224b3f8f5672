from __future__ import annotations

from worktally.core.errors import AppError


class CursorExpiredError(AppError):
    status_code = 410
    code = "cursor_expired"
    message = "This cursor is older than the changes the feed keeps; list the resources afresh and follow the feed from its start."
