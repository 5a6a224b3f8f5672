"""``Worktally`` and ``AsyncWorktally``: the same surface, one resource group per tag of the API
(``client.projects.list()``, ``client.time_tracking.start(contract_id=...)``)."""

from __future__ import annotations

from typing import Any

from worktally_client._base import AsyncClientBase, SyncClientBase
from worktally_client._resources import AsyncGroups, SyncGroups


class Worktally(SyncGroups, SyncClientBase):
    """A synchronous client: ``Worktally(base_url, token)``; both default to ``WORKTALLY_URL`` and
    ``WORKTALLY_TOKEN``. ``workspace_id`` is sent with every call that takes one (else the server uses the
    token's only workspace, D3). Calls are retried on connection errors, 5xx and 429 (``max_retries``)."""

    def __init__(self, base_url: str | None = None, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(base_url, token, **kwargs)
        self._attach_groups()

    def __enter__(self) -> Worktally:
        return self


class AsyncWorktally(AsyncGroups, AsyncClientBase):
    """The asynchronous client, with the same surface as ``Worktally`` (``await client.projects.list()``)."""

    def __init__(self, base_url: str | None = None, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(base_url, token, **kwargs)
        self._attach_groups()

    async def __aenter__(self) -> AsyncWorktally:
        return self
