from __future__ import annotations

from worktally.core.errors import ConflictError


class WebhookPausedError(ConflictError):
    code = "webhook_paused"
    message = "The webhook is paused; resume it (is_active: true) first."


class DeliveryInProgressError(ConflictError):
    code = "delivery_in_progress"
    message = "This delivery is being attempted right now; try again shortly."
