"""D5: one way to page. ``page`` ≥ 1, ``per_page`` 1..max; totals in ``meta.pagination``; ties broken by id."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.core.errors import ValidationError
from worktally.db.prepared import PreparedRead, RequestDb, Row

T = TypeVar("T")

# Any SELECT, whatever its columns (SQLAlchemy 2.1 types Select by its row tuple).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_params(default: int = 20, maximum: int = 100) -> Callable[..., Awaitable[PageParams]]:
    """A dependency reading ``page`` and ``per_page`` with this endpoint's default and maximum."""

    async def dependency(  # async: a plain def would run in FastAPI's thread pool
        # The bounds are documented (json_schema_extra) but checked below, for D5's own messages.
        page: Annotated[int, Query(description="Page number, from 1.", json_schema_extra={"minimum": 1})] = 1,
        per_page: Annotated[
            int,
            Query(description=f"Rows per page, 1..{maximum}.", json_schema_extra={"minimum": 1, "maximum": maximum}),
        ] = default,
    ) -> PageParams:
        errors: dict[str, list[str]] = {}
        if page < 1:
            errors["page"] = ["The page must be at least 1."]
        if not 1 <= per_page <= maximum:
            errors["per_page"] = [f"The per_page must be between 1 and {maximum}."]
        if errors:
            raise ValidationError(errors)
        return PageParams(page=page, per_page=per_page)

    return dependency


PageDep = Annotated[PageParams, Depends(page_params())]


def pagination_meta(total: int, params: PageParams, count_on_page: int) -> Pagination:
    last_page = max(1, -(-total // params.per_page))
    first = params.offset + 1 if count_on_page else None
    last = params.offset + count_on_page if count_on_page else None
    return Pagination(
        total=total,
        per_page=params.per_page,
        current_page=params.page,
        last_page=last_page,
        from_=first,
        to=last,
    )


_TOTAL = "page_total_"


def paginate_list(items: Sequence[T], params: PageParams) -> tuple[list[T], Pagination]:
    """One page of a list computed in full (a report whose filter needs every row's result first)."""
    rows = list(items[params.offset : params.offset + params.per_page])
    return rows, pagination_meta(len(items), params, len(rows))


async def paginate(session: AsyncSession, statement: AnySelect, params: PageParams) -> tuple[Sequence[Any], Pagination]:
    """Run ``statement`` (already totally ordered) for one page; returns its rows and the meta.

    One statement: the total comes with the page as ``count(*) OVER ()`` (computed before LIMIT/OFFSET), so a
    list costs one round trip, not a ``count(*)`` and then the page. Only a page past the end (no rows to carry
    the total) and a DISTINCT statement (whose window would count the rows before DISTINCT) count separately.
    """
    if statement._distinct:  # SQLAlchemy's own flag; no public accessor
        return await _paginate_counted(session, statement, params)
    counted = statement.add_columns(func.count().over().label(_TOTAL)).limit(params.per_page).offset(params.offset)
    frozen = (await session.execute(counted)).freeze()
    with_total = frozen().all()
    if not with_total:
        if params.offset == 0:
            return [], pagination_meta(0, params, 0)
        return await _paginate_counted(session, statement, params)
    width = len(with_total[0]) - 1  # an ORM entity is one element of a row, however many columns it has
    total = int(with_total[0][width])
    rows: Sequence[Any] = frozen().columns(*range(width)).all()
    return rows, pagination_meta(total, params, len(rows))


async def _paginate_counted(
    session: AsyncSession, statement: AnySelect, params: PageParams
) -> tuple[Sequence[Any], Pagination]:
    count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
    total = int((await session.execute(count_statement)).scalar_one())
    rows: Sequence[Any] = []
    if total and params.offset < total:
        rows = (await session.execute(statement.limit(params.per_page).offset(params.offset))).all()
    return rows, pagination_meta(total, params, len(rows))


async def paginate_scalars(
    session: AsyncSession, statement: AnySelect, params: PageParams
) -> tuple[Sequence[Any], Pagination]:
    rows, meta = await paginate(session, statement, params)
    return [row[0] for row in rows], meta


async def paginate_prepared(
    db: RequestDb, page: PreparedRead, count: PreparedRead, params: PageParams, **values: Any
) -> tuple[Sequence[Row], Pagination]:
    """``paginate`` for a hot list built once as a ``PreparedRead``: the same rule, one statement a page.

    ``page`` selects a ``total`` column (``count(*) OVER ()``) and takes ``limit``/``offset`` bind parameters;
    ``count`` selects ``total`` alone, run only for a page past the end (no row to carry the total).
    """
    rows = await page.all(db, limit=params.per_page, offset=params.offset, **values)
    if rows:
        total = int(rows[0]["total"])
    elif params.offset == 0:
        total = 0
    else:
        counted = await count.first(db, **values)
        total = int(counted["total"]) if counted else 0
    return rows, pagination_meta(total, params, len(rows))
