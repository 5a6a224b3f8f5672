"""Webhook delivery (D11). One loop (``runner.DeliveryWorker``) serves both the in-process worker that
the app starts in its lifespan and ``worktally worker`` / ``python -m worktally.worker`` processes.

A delivery is claimed by taking a lease (``locked_until``) in a short transaction, sent outside any
transaction, and its result stored only while that lease is still ours. A worker that dies leaves
its lease to expire; the delivery is then claimed again (at-least-once, same ``webhook-id``).
"""
