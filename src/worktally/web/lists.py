"""Every page of a service's list, for the manager's pages' tables and choices (the API's own pages)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams

T = TypeVar("T")
PER_PAGE = 100
MAX_PAGES = 50  # 5,000 rows at most: beyond that a page is not the tool


async def every(read: Callable[[PageParams], Awaitable[tuple[Sequence[T], Pagination]]]) -> list[T]:
    items: list[T] = []
    for number in range(1, MAX_PAGES + 1):
        chunk, meta = await read(PageParams(number, PER_PAGE))
        items.extend(chunk)
        if number >= meta.last_page:
            break
    return items
