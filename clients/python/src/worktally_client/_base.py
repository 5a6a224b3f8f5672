"""The request engine shared by ``Worktally`` and ``AsyncWorktally``: building a request from an operation,
retrying it (connection errors, 5xx and 429, honouring ``Retry-After`` and ``X-RateLimit-Reset``; writes
only with an ``Idempotency-Key``, generated once per call and reused by every retry), and reading the
envelope into the generated models or a typed error."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import os
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

import httpx
from pydantic import BaseModel, TypeAdapter

from worktally_client import errors

if TYPE_CHECKING:
    from worktally_client.pagination import AsyncPage, SyncPage

__version__ = "0.1.0"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RETRIES: Final = 4
# A 429 under the 60-per-minute limit (D8) asks for at most 60 s: the default waits that out.
DEFAULT_MAX_RETRY_WAIT: Final = 65.0
WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotGiven:
    """An argument left out (unlike ``None``, which is sent as JSON ``null``)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    model: Any = None  # the generated model of the envelope's data (None: returned as parsed JSON)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not NOT_GIVEN}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(v) for v in value]
    return value


def _query_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)  # WebWork's comma list (`users=1,2,3`)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def retry_after_seconds(response: httpx.Response) -> float | None:
    """How long the server asked to wait: ``Retry-After`` (seconds or an HTTP date), else on a 429
    ``X-RateLimit-Reset`` (Unix time, D8)."""
    header = response.headers.get("retry-after")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(header) if header else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    reset = response.headers.get("x-ratelimit-reset")
    if response.status_code == 429 and reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return None


def _adapter(model: Any, many: bool) -> TypeAdapter[Any] | None:
    if model is None:
        return None
    key = (model, many)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        adapter = _ADAPTERS[key] = TypeAdapter(list[model] if many else model)
    return adapter


_ADAPTERS: dict[tuple[Any, bool], TypeAdapter[Any]] = {}


@dataclass(slots=True)
class Prepared:
    """One call: the request to send (again, on a retry) and how to read its answer."""

    operation: Operation
    request: httpx.Request
    retryable: bool


class BaseClient:
    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        workspace_id: int | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        idempotency_keys: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        base_url = base_url or os.environ.get("WORKTALLY_URL")
        if not base_url:
            raise errors.WorktallyError("no base_url: pass it or set WORKTALLY_URL")
        self.base_url = base_url.rstrip("/")
        self.token = token if token is not None else os.environ.get("WORKTALLY_TOKEN")
        self.workspace_id = workspace_id
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.idempotency_keys = idempotency_keys
        self._headers = {"User-Agent": f"worktally-client/{__version__}", "Accept": "application/json"}
        if headers:
            self._headers.update(headers)

    def _prepare(
        self,
        operation: Operation,
        *,
        query: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Prepared:
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not NOT_GIVEN and v is not None}
        if query is not None and "workspace_id" in query and "workspace_id" not in params and self.workspace_id:
            params["workspace_id"] = self.workspace_id
        headers = dict(self._headers)
        if self.token and not operation.path.startswith("/oauth/"):
            headers["Authorization"] = f"Bearer {self.token}"
        write = operation.method in WRITE_METHODS
        keyed = write and operation.path.startswith("/api/") and (idempotency_key or self.idempotency_keys)
        if keyed:
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex  # the same key on every retry
        content: dict[str, Any] = {}
        if json is not None:
            content["json"] = _plain(dict(json))
        elif form is not None:
            content["data"] = {k: v for k, v in _plain(dict(form)).items() if v is not None}
        request = httpx.Request(
            operation.method, self.base_url + operation.path, params=params, headers=headers, **content
        )
        return Prepared(operation, request, retryable=not write or bool(keyed))

    def _wait(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds before the next try, or None when the call should not be tried again."""
        if attempt >= self.max_retries:
            return None
        asked = retry_after_seconds(response) if response is not None else None
        if asked is not None:
            # Plus a little, so that the retry lands after the window has moved (the reset is whole seconds).
            return None if asked > self.max_retry_wait else asked + random.uniform(0.05, 0.5)
        return min(8.0, 0.5 * 2**attempt) * random.uniform(0.75, 1.25)

    def _next_wait(
        self,
        prepared: Prepared,
        attempt: int,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
    ) -> float | None:
        """Seconds before trying ``prepared`` again; None when ``response`` is the answer. A connection
        error that is not retried is raised as ``APIConnectionError``."""
        if error is not None:
            wait = self._wait(attempt, None) if prepared.retryable else None
            if wait is None:
                raise self._connection_error(error, prepared.request) from error
            return wait
        assert response is not None
        return self._wait(attempt, response) if prepared.retryable and self._retry_status(response) else None

    def _by_hand(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
        model: Any,
        idempotency_key: str | None,
    ) -> Prepared:
        operation = Operation(method.upper(), path, model)
        return self._prepare(operation, query=params or {}, json=json, idempotency_key=idempotency_key)

    @staticmethod
    def _retry_status(response: httpx.Response) -> bool:
        return response.status_code == 429 or (response.status_code >= 500 and response.status_code != 501)

    @staticmethod
    def _read(prepared: Prepared, response: httpx.Response, many: bool = False) -> Any:
        if response.status_code >= 400:
            raise errors.error_for(response)
        if not response.content:
            return None
        if "json" not in response.headers.get("content-type", "json"):
            return response.text  # a report asked for with format=csv
        body = response.json()
        data = body.get("data") if isinstance(body, dict) and "data" in body else body
        adapter = _adapter(prepared.operation.model, many)
        return data if adapter is None or data is None else adapter.validate_python(data)

    @staticmethod
    def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> errors.APIConnectionError:
        cls = errors.APITimeoutError if isinstance(exc, httpx.TimeoutException) else errors.APIConnectionError
        return cls(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, request=request)


class SyncClientBase(BaseClient):
    def __init__(self, *args: Any, http_client: httpx.Client | None = None, transport: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._http = http_client or httpx.Client(timeout=self.timeout, transport=transport)
        self._sleep = time.sleep

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClientBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, prepared: Prepared) -> httpx.Response:
        for attempt in itertools.count():
            try:
                response = self._http.send(prepared.request)
            except httpx.TransportError as exc:
                wait = self._next_wait(prepared, attempt, error=exc)
            else:
                wait = self._next_wait(prepared, attempt, response)
                if wait is None:
                    return response
                response.close()
            self._sleep(wait)
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        model: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Any call by hand: the envelope's data (parsed into ``model`` when given) or a typed error."""
        prepared = self._by_hand(method, path, params, json, model, idempotency_key)
        return self._read(prepared, self._send(prepared))


class AsyncClientBase(BaseClient):
    def __init__(self, *args: Any, http_client: httpx.AsyncClient | None = None, transport: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, transport=transport)
        self._sleep = asyncio.sleep

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClientBase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send(self, prepared: Prepared) -> httpx.Response:
        for attempt in itertools.count():
            try:
                response = await self._http.send(prepared.request)
            except httpx.TransportError as exc:
                wait = self._next_wait(prepared, attempt, error=exc)
            else:
                wait = self._next_wait(prepared, attempt, response)
                if wait is None:
                    return response
                await response.aclose()
            await self._sleep(wait)
        raise AssertionError("unreachable")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        model: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Any call by hand: the envelope's data (parsed into ``model`` when given) or a typed error."""
        prepared = self._by_hand(method, path, params, json, model, idempotency_key)
        return self._read(prepared, await self._send(prepared))


class SyncResource:
    def __init__(self, client: SyncClientBase) -> None:
        self._client = client

    def _call(self, operation: Operation, **parts: Any) -> Any:
        prepared = self._client._prepare(operation, **parts)
        return self._client._read(prepared, self._client._send(prepared))

    def _page(self, operation: Operation, *, query: dict[str, Any]) -> SyncPage[Any]:
        from worktally_client.pagination import SyncPage

        prepared = self._client._prepare(operation, query=query)
        response = self._client._send(prepared)
        return SyncPage.read(self, operation, query, prepared, response)


class AsyncResource:
    def __init__(self, client: AsyncClientBase) -> None:
        self._client = client

    async def _call(self, operation: Operation, **parts: Any) -> Any:
        prepared = self._client._prepare(operation, **parts)
        return self._client._read(prepared, await self._client._send(prepared))

    async def _page(self, operation: Operation, *, query: dict[str, Any]) -> AsyncPage[Any]:
        from worktally_client.pagination import AsyncPage

        prepared = self._client._prepare(operation, query=query)
        response = await self._client._send(prepared)
        return AsyncPage.read(self, operation, query, prepared, response)
