from __future__ import annotations

from worktally.core.errors import ConflictError


class TrackerAlreadyRunningError(ConflictError):
    code = "tracker_already_running"
    message = "This user already has a running tracker. Stop it before starting a new one."


class TrackerNotRunningError(ConflictError):
    code = "tracker_not_running"
    message = "This user has no running tracker."


class ContractPausedError(ConflictError):
    code = "contract_paused"
    message = "The contract is paused; time cannot be tracked on it."
