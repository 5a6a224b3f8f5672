"""``client.changes(...)``: the changes feed (a Worktally extension) as an iterator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from worktally_client._base import NOT_GIVEN, AsyncResource, NotGiven, SyncResource


class ChangesFeed(SyncResource):
    cursor: str | None = None

    def list(self, **kwargs: Any) -> Any:  # generated in the subclass
        raise NotImplementedError

    def __call__(
        self, cursor: str | None = None, *, limit: int | NotGiven = NOT_GIVEN, workspace_id: int | NotGiven = NOT_GIVEN
    ) -> Iterator[Any]:
        """Every change after ``cursor`` (from the start when None) until the feed is caught up; afterwards
        ``client.changes.cursor`` is where to go on from next time."""
        page = self.list(cursor=cursor or NOT_GIVEN, limit=limit, workspace_id=workspace_id)
        while True:
            yield from page.data
            self.cursor = page.next_cursor or self.cursor
            if not page.has_next_page():
                return
            page = page.next_page()


class AsyncChangesFeed(AsyncResource):
    cursor: str | None = None

    async def list(self, **kwargs: Any) -> Any:  # generated in the subclass
        raise NotImplementedError

    async def __call__(
        self, cursor: str | None = None, *, limit: int | NotGiven = NOT_GIVEN, workspace_id: int | NotGiven = NOT_GIVEN
    ) -> AsyncIterator[Any]:
        """Every change after ``cursor`` until the feed is caught up (see ``ChangesFeed``)."""
        page = await self.list(cursor=cursor or NOT_GIVEN, limit=limit, workspace_id=workspace_id)
        while True:
            for change in page.data:
                yield change
            self.cursor = page.next_cursor or self.cursor
            if not page.has_next_page():
                return
            page = await page.next_page()
