"""Idempotency keys (D18): a write sent again with the same ``Idempotency-Key`` is answered, not done again.

How a keyed write travels (``api/deps.py: TransactionalRoute`` calls into ``flow``):

1. Before the handler: the key is checked (1 to 255 visible ASCII, else 400) and the request fingerprinted
   (sha256 of method, path, query and body). Nothing is read yet: the caller is not known.
2. Once ``require(...)`` knows the principal, the key's stored answer for (caller, workspace, key) is already
   there: the statement that authenticates the request (``auth/tokens.identify``, token and membership) or
   that reads the membership (``api/deps.load_principal``, when ``workspace_id`` is in the body) reads it
   too, by an outer join. A stored answer with the same fingerprint is replayed
   (``Idempotent-Replayed: true``) without running the handler; another fingerprint is 422
   ``idempotency_key_reused``. So a replay costs no statement of its own.
3. After the handler: a 2xx answer is inserted in the same transaction as its effect, just before the
   commit, by one statement (the only one a keyed write adds; ``tests/idempotency/test_cost.py`` counts them).
   On PostgreSQL that statement first tries a transaction-scoped advisory lock on the key
   (``pg_try_advisory_xact_lock``): held elsewhere, another request with the key (in any process) has stored
   its answer and not yet committed, and we roll back and answer 409 ``idempotency_key_in_flight`` with
   ``Retry-After: 1``. The insert is ``ON CONFLICT DO UPDATE ... WHERE expired``: an expired answer is
   replaced; a live one (a concurrent first request committed before us) makes us roll our effect back and
   replay the winner's answer. The unique constraint is what guarantees one effect. On SQLite every
   transaction takes the write lock at BEGIN (``db/session.py``), so keyed writes are serialised.
4. A keyed write refused with 404, 409 or 422 looks the key up once more (on that path only): a concurrent
   first request whose effect caused the refusal (the tracker it started, the row it deleted) has committed
   its answer by then — its row locks made us wait — and that answer is replayed. 4xx answers are never
   stored, so a corrected request may reuse the key.

Expired answers are ignored by the lookup and deleted in batches by ``purge_expired`` (the webhook worker
loop calls it), along the index on ``expires_at``.
"""
