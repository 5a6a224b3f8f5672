"""D1: the only response shape. Handlers return ``ok(...)`` or ``paginated(...)``; errors come from errors.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic_core import to_json
from starlette.responses import Response

from worktally import API_VERSION
from worktally.core.clock import isoformat_offset, isoformat_z, utc_now
from worktally.core.money import money_number

T = TypeVar("T")


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# Decimals (money, hours) leave as JSON numbers, as the catalogue shows them (5000, 12.5); they are
# computed and stored as exact decimals (D14) and only become numbers at the edge.
JsonNumber = Annotated[Decimal, PlainSerializer(_json_number, return_type=int | float, when_used="json")]

# Money (rates, budgets, amounts, per-currency totals; D1, D14): a JSON number with at most two decimals,
# rounded half up to the cent from the exact Decimal: ``337.5``, ``12``, ``0.05``.
MoneyNumber = Annotated[
    Decimal,
    PlainSerializer(money_number, return_type=int | float, when_used="json"),
    WithJsonSchema(
        {"type": "number", "description": "Money: at most two decimals, exact (D1).", "examples": [337.5]},
        mode="serialization",
    ),
]

# Amounts per currency code (``{"USD": 337.5, "EUR": 10}``): never added across currencies (D1).
MoneyByCurrency = dict[str, MoneyNumber]

# Every datetime the API returns: ISO 8601, UTC, microseconds, `Z` (D1).
UTCDatetime = Annotated[
    datetime,
    PlainSerializer(isoformat_z, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-01-29T12:00:00.000000Z"]}, mode="serialization"
    ),
]

# A member-local instant where a field documents it (D1): the same form with the value's own UTC offset.
LocalDatetime = Annotated[
    datetime,
    PlainSerializer(isoformat_offset, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-01-29T13:00:00.000000+01:00"]},
        mode="serialization",
    ),
]

# D1: every JSON response says its charset.
JSON_MEDIA_TYPE = "application/json; charset=utf-8"


class Pagination(BaseModel):
    total: int
    per_page: int
    current_page: int
    last_page: int
    from_: int | None = Field(alias="from", serialization_alias="from")
    to: int | None

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Meta(BaseModel):
    api_version: str = API_VERSION
    timestamp: UTCDatetime
    pagination: Pagination | None = Field(default=None, exclude_if=lambda v: v is None)


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    message: str | None = Field(default=None, exclude_if=lambda v: v is None)
    data: T
    meta: Meta


class ErrorEnvelope(BaseModel):
    success: bool = False
    message: str
    error: str | None = Field(default=None, description="A stable snake_case error code.")
    errors: dict[str, list[str]] | None = Field(default=None, exclude_if=lambda v: v is None)
    meta: Meta


# A strong reference: pydantic caches parametrised generics weakly, so without it every garbage
# collection drops ``Envelope[Any]`` and the next request builds the model class again (milliseconds).
_AnyEnvelope = Envelope[Any]


def meta(pagination: Pagination | None = None) -> Meta:
    return Meta(timestamp=utc_now(), pagination=pagination)


def ok(data: T, message: str | None = None) -> Envelope[T]:
    return _AnyEnvelope(data=data, message=message, meta=meta())


def paginated(items: Sequence[T], pagination: Pagination, message: str | None = None) -> Envelope[list[T]]:
    return _AnyEnvelope(data=list(items), message=message, meta=meta(pagination))


def raw_ok(data_json: str | bytes, message: str | None = None, pagination: Pagination | None = None) -> Response:
    """The envelope of ``ok``/``paginated`` around ``data`` already serialised as JSON, for a large response
    (a report of megabytes is written once, not built as models and then serialised again).

    The bytes are what the declared ``Envelope[T]`` writes for the same data (``tests/report`` holds them to it).
    """
    data = data_json.encode() if isinstance(data_json, str) else data_json
    head = b'{"success":true,' if message is None else b'{"success":true,"message":' + to_json(message) + b","
    body = b"".join((head, b'"data":', data, b',"meta":', meta(pagination).model_dump_json().encode(), b"}"))
    return Response(body, media_type=JSON_MEDIA_TYPE)


def error_body(message: str, *, code: str | None = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return ErrorEnvelope(message=message, error=code, errors=errors, meta=meta()).model_dump(mode="json")
