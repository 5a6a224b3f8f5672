"""The changes feed (D19): every create, update and delete, oldest first, as each role may see it.

One log, two readers: ``webhook/events.py: record_event`` is the only writer. It stores the event (the
outbox webhook delivery reads) and, from that same record, a ``changes`` row that indexes it for the feed:
the kind of resource, its id, upsert or delete, and whose and which project's it is (``kinds.py``). Both
are in the caller's transaction, so a change that rolled back is in neither. Resources without a public
webhook event (teams, viewers, policies, categories, webhooks, an unsubmitted timesheet) record
change-only events through the same function; they are never delivered.

Order and cursors (``repository.py``): on PostgreSQL a sequence value is taken at INSERT, not at COMMIT, so
a transaction that began earlier can commit a lower id after a reader has passed it. Each row therefore
carries its transaction's id (``pg_current_xact_id()``), the feed is ordered by ``(tx, id)``, and a
reader is served only rows whose transaction is older than every transaction still running
(``pg_snapshot_xmin(pg_current_snapshot())``): every such transaction has ended, so nothing can still
appear before the cursor. Writers pay nothing (no lock, no extra statement); a reader may see a change a
few milliseconds late, while an older writing transaction is still open. SQLite serialises writers
(``BEGIN IMMEDIATE``), so there ``tx`` is 0 and the order is the id's.

Visibility (``visibility.py``) is the lists' own: the subqueries of ``auth/visibility.py`` and the
permissions of ``auth/permissions.py``, one clause per kind.
"""
