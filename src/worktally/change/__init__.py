"""The changes feed (D19): every create, update and delete, oldest first, as each role may see it.

One log, two readers: ``webhook/events.py: record_event`` is the only writer. It stores the event (the
outbox webhook delivery reads) and, from that same record, a ``changes`` row that indexes it for the feed:
the kind of resource, its id, upsert or delete, and whose and which project's it is (``kinds.py``). Both
are in the caller's transaction, so a change that rolled back is in neither. Resources without a public
webhook event (teams, viewers, policies, categories, webhooks, an unsubmitted timesheet) record
change-only events through the same function; they are never delivered.

Order and cursors (``repository.py``): the feed is ordered by the ``changes`` id, a sequence. On PostgreSQL a
sequence value is drawn at INSERT, not at COMMIT, so a transaction can commit a lower id after a reader has
already passed a higher one, and that change would be skipped. A per-workspace advisory lock closes the
gap: a writer's INSERT takes it in shared mode in the same statement, before its id is drawn (writers never
wait for each other, and it costs no extra round trip), and holds it to its commit; a reader takes it
exclusively before its page query, which waits only for that workspace's writers that have drawn ids and
not yet committed (a few milliseconds: events are recorded at the end of a use case). Once the reader holds
it, every id drawn so far is committed or rolled back, so nothing can appear behind the page it reads.
Rejected: serving only changes older than the oldest running transaction (``pg_snapshot_xmin``) costs
writers nothing, but that horizon is the whole server's: any long or idle-in-transaction writer, of any
workspace or database, holds every feed back. SQLite serialises writers (``BEGIN IMMEDIATE``), so there the
id order is the commit order already.

Visibility (``visibility.py``) is the lists' own: the subqueries of ``auth/visibility.py`` and the
permissions of ``auth/permissions.py``, one clause per kind.
"""
