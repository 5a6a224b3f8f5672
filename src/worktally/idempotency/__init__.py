"""Idempotency keys (D18): a write sent again with the same ``Idempotency-Key`` is answered, not done again.

How a keyed write travels (``api/deps.py: TransactionalRoute`` calls into ``flow``):

1. Before the handler: the key is checked (1 to 255 visible ASCII, else 400) and the request fingerprinted
   (sha256 of method, path, query and body). Nothing is read yet: the caller is not known.
2. Once ``require(...)`` knows the principal (it calls the hook the route left in the request's scope),
   one statement in the request's transaction looks the key up for (caller, workspace, key) and, on
   PostgreSQL, takes a transaction-scoped advisory lock on it without waiting
   (``pg_try_advisory_xact_lock``). A stored answer with the same fingerprint is replayed
   (``Idempotent-Replayed: true``) without running the handler; another fingerprint is 422
   ``idempotency_key_reused``; no answer and a lock held elsewhere (another request, in any process, is
   running with that key) is 409 ``idempotency_key_in_flight`` with ``Retry-After: 1``. On SQLite every
   transaction takes the write lock at BEGIN (``db/session.py``), so keyed writes are serialised and a
   repeat simply finds the first answer.
3. After the handler: a 2xx answer is inserted in the same transaction as its effect, just before the
   commit. 4xx answers are not stored, so a corrected request may reuse the key. The insert is
   ``ON CONFLICT DO UPDATE ... WHERE expired``: an expired answer is replaced, a live one (a concurrent
   first request that won in the gap between its commit and our lock) makes us roll our effect back and
   replay the winner's answer instead. The unique constraint is what guarantees one effect; the lock only
   turns waiting into a quick 409.

Expired answers are ignored by the lookup and deleted in batches by ``purge_expired`` (the webhook worker
loop calls it), along the index on ``expires_at``.
"""
