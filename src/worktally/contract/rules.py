"""Contract vocabulary (catalogue §1.7): screenshot modes and their labels, statuses, rate types."""

from __future__ import annotations

from typing import Literal

from worktally.auth.permissions import Role

ScreenshotMode = Literal[
    "full",
    "blurred",
    "no_preview",
    "no_screenshot",
    "background_blurred",
    "video_full",
    "video_blurred",
    "video_full_silent",
    "video_blurred_silent",
]
ContractStatus = Literal["active", "paused"]
RateType = Literal[1, 2, 3]  # 1 custom rate, 2 member rate, 3 project rate

SCREENSHOT_LABELS: dict[str, str] = {
    "full": "Screenshot on",
    "blurred": "Blurred screenshots",
    "no_preview": "Screenshots without preview",
    "no_screenshot": "Screenshot off",
    "background_blurred": "Background blurred",
    "video_full": "Video recording",
    "video_blurred": "Blurred video recording",
    "video_full_silent": "Silent video recording",
    "video_blurred_silent": "Silent blurred video recording",
}


def screenshots_label(mode: str | None) -> str | None:
    return SCREENSHOT_LABELS.get(mode) if mode else None


def contract_user_role(role: str | None) -> str | None:
    """D6: on contracts, a project viewer shows as ``Client``."""
    return "Client" if role == Role.PROJECT_VIEWER else role


def rate_visible(*, caller_sees_rates: bool, project_is_billable: bool) -> bool:
    """D6: a contract's rate needs rate visibility and a billable project."""
    return caller_sees_rates and project_is_billable
