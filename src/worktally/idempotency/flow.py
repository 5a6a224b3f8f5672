"""A keyed write's way through the request (D18); the model is in this package's docstring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import AppError
from worktally.db.prepared import RequestDb
from worktally.idempotency import repository
from worktally.idempotency.keys import (
    HEADER as HEADER,
)
from worktally.idempotency.keys import (
    REPLAYED_HEADER,
    WRITE_METHODS,
    IdempotencyKeyInFlightError,
    IdempotencyKeyReusedError,
    fingerprint,
    lock_id,
    parse_key,
)
from worktally.idempotency.keys import (
    caller_of as caller_of,
)
from worktally.idempotency.repository import Stored, StoredAnswer
from worktally.idempotency.repository import answer_of as answer_of

_SKIPPED_HEADERS = frozenset({b"content-length"})


class Replay(Exception):  # not an error: the way out of the handler when the answer is known
    """Answer with a stored response instead of running (or keeping) the handler's work."""

    def __init__(self, answer: StoredAnswer | None) -> None:
        super().__init__("idempotent replay")
        self.answer = answer  # None: a concurrent first request won; read its answer after our rollback


@dataclass(slots=True)
class KeyedWrite:
    key: str
    fingerprint: str
    ttl: timedelta
    db_of: Callable[[Request], RequestDb]
    request: Request
    caller: str | None = None
    workspace_id: int = 0
    _prefetched: tuple[int, StoredAnswer | None] | None = None

    def prefetched(self, workspace_id: int, answer: StoredAnswer | None) -> None:
        """The answer stored for the key in ``workspace_id``, read by the statement that read the membership."""
        self._prefetched = (workspace_id, answer)

    async def claim(self, principal: Principal) -> None:
        """Called by ``require`` once the caller is known: replay a stored answer, refuse a reused key, or go on."""
        caller = caller_of(principal.identity)
        if self._prefetched is not None and self._prefetched[0] == principal.workspace_id:
            answer = self._prefetched[1]
        else:  # not read with the membership (a caller built without it): one statement of its own
            answer = await repository.load(
                await self.db_of(self.request).session(),
                caller=caller,
                workspace_id=principal.workspace_id,
                key=self.key,
                now=utc_now(),
            )
        if answer is not None:
            self._check(answer)
            raise Replay(answer)
        self.caller, self.workspace_id = caller, principal.workspace_id

    def _check(self, answer: StoredAnswer) -> None:
        if answer.fingerprint != self.fingerprint:
            raise IdempotencyKeyReusedError(errors={"Idempotency-Key": [IdempotencyKeyReusedError.message]})

    async def finish(self, response: Response) -> None:
        """Store a 2xx answer in the request's transaction (before its commit)."""
        if self.caller is None or not 200 <= response.status_code < 300 or not hasattr(response, "body"):
            return
        session = await self.db_of(self.request).session()
        answer = StoredAnswer(
            fingerprint=self.fingerprint,
            status_code=response.status_code,
            headers=[
                [k.decode("latin-1"), v.decode("latin-1")] for k, v in response.raw_headers if k not in _SKIPPED_HEADERS
            ],
            body=bytes(response.body),
        )
        now = utc_now()
        stored = await repository.store(
            session,
            caller=self.caller,
            workspace_id=self.workspace_id,
            key=self.key,
            answer=answer,
            now=now,
            expires_at=now + self.ttl,
            lock=lock_id(self.caller, self.workspace_id, self.key),
        )
        if stored == Stored.IN_FLIGHT:
            raise IdempotencyKeyInFlightError()
        if stored == Stored.TAKEN:
            raise Replay(None)

    async def after_refusal(self, sessionmaker: async_sessionmaker[AsyncSession]) -> Response | None:
        """A keyed write refused with a 4xx: if a concurrent first request has committed an answer for the key
        meanwhile (its effect is why we were refused: a tracker already running, a deleted row), that answer,
        replayed; else None and the refusal stands. Costs a statement on this path only.
        """
        if self.caller is None:
            return None
        async with sessionmaker() as session:
            answer = await repository.load(
                session, caller=self.caller, workspace_id=self.workspace_id, key=self.key, now=utc_now()
            )
        if answer is None:
            return None
        self._check(answer)
        return await self.replayed(Replay(answer), sessionmaker)

    async def replayed(self, replay: Replay, sessionmaker: async_sessionmaker[AsyncSession]) -> Response:
        """The stored answer, marked as replayed (read afresh when a concurrent request won the race)."""
        answer = replay.answer
        if answer is None:
            assert self.caller is not None
            async with sessionmaker() as session:
                answer = await repository.load(
                    session, caller=self.caller, workspace_id=self.workspace_id, key=self.key, now=utc_now()
                )
            if answer is None:  # the winner's answer expired in between: vanishingly rare; ask to retry
                raise IdempotencyKeyInFlightError()
            self._check(answer)
        response = Response(content=answer.body, status_code=answer.status_code)
        response.raw_headers = [
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers),
            (b"content-length", str(len(answer.body)).encode()),
            (REPLAYED_HEADER.lower().encode(), b"true"),
        ]
        return response


async def begin(request: Request, db_of: Callable[[Request], RequestDb], ttl_hours: int) -> KeyedWrite | None:
    """A ``KeyedWrite`` for a write that carries the header (400 for a malformed key), else None."""
    raw = request.headers.get(HEADER)
    if raw is None or request.method not in WRITE_METHODS:
        return None
    key = parse_key(raw)
    body = await request.body()
    digest = fingerprint(request.method, request.scope["path"], request.scope.get("query_string", b""), body)
    return KeyedWrite(key=key, fingerprint=digest, ttl=timedelta(hours=ttl_hours), db_of=db_of, request=request)


_REFUSALS = frozenset({404, 409, 422})


def is_refusal(error: BaseException) -> bool:
    """A business refusal that a concurrent first request with the same key may have caused (D18)."""
    return (
        isinstance(error, AppError)
        and error.status_code in _REFUSALS
        and not isinstance(error, IdempotencyKeyInFlightError | IdempotencyKeyReusedError)
    )
