"""Pages of a list: ``page.data`` holds this page's items; iterating the page walks every item of every
page after it too, following ``meta.pagination`` (``page=``) or, for the changes feed, ``meta.next_cursor``
while ``meta.has_more``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from worktally_client import models

if TYPE_CHECKING:
    from worktally_client._base import AsyncResource, Operation, Prepared, SyncResource

T = TypeVar("T")


class BasePage(Generic[T]):
    data: list[T]
    meta: dict[str, Any]

    def __init__(self, data: list[T], meta: dict[str, Any], query: dict[str, Any]) -> None:
        self.data = data
        self.meta = meta
        self._query = query

    @property
    def pagination(self) -> models.Pagination | None:
        raw = self.meta.get("pagination")
        return models.Pagination.model_validate(raw) if raw else None

    @property
    def next_cursor(self) -> str | None:
        """Where the changes feed goes on from (pass it as ``cursor=`` later)."""
        return self.meta.get("next_cursor")

    def has_next_page(self) -> bool:
        if "has_more" in self.meta:
            return bool(self.meta["has_more"]) and bool(self.meta.get("next_cursor"))
        pagination = self.meta.get("pagination") or {}
        return bool(pagination) and pagination.get("current_page", 1) < pagination.get("last_page", 1)

    def _next_query(self) -> dict[str, Any]:
        if "has_more" in self.meta:
            return {**self._query, "cursor": self.meta["next_cursor"]}
        return {**self._query, "page": int(self.meta["pagination"]["current_page"]) + 1}

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self.data)} {self.meta.get('pagination') or ''}>"

    _resource: Any
    _operation: Operation

    @classmethod
    def read(
        cls, resource: Any, operation: Operation, query: dict[str, Any], prepared: Prepared, response: httpx.Response
    ) -> Any:
        """The page of ``response``; it fetches the next ones through ``resource`` with ``operation``."""
        data = resource._client._read(prepared, response, many=True) or []
        page = cls(data, response.json().get("meta") or {}, query)
        page._resource, page._operation = resource, operation
        return page


class SyncPage(BasePage[T]):
    _resource: SyncResource

    def next_page(self) -> SyncPage[T] | None:
        if not self.has_next_page():
            return None
        return self._resource._page(self._operation, query=self._next_query())

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(BasePage[T]):
    _resource: AsyncResource

    async def next_page(self) -> AsyncPage[T] | None:
        if not self.has_next_page():
            return None
        return await self._resource._page(self._operation, query=self._next_query())

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item
