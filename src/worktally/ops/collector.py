"""Python's garbage collector tuned for a long-running server (``Settings.gc_tuned``, on by default).

Once the app has started, the process's long-lived objects (modules, models, the app) leave the collector's
generations (``gc.freeze``), so that its full passes walk only what requests allocate, and the young
generation is collected every 10,000 allocations instead of 700 (a request allocates hundreds).

The measurement that keeps it, in the same run against the same app untuned (``make bench``:
``bench/api_overhead.py`` serves a second app with ``WORKTALLY_GC_TUNED=false``): on 2026-12-04 (2 cores,
wrk and the asyncio client, three runs) the tuned app answered 1.18-1.21x the untuned one's
``GET /workspaces`` and 1.03-1.20x its ``GET /projects/{id}``. And in
``make bench-reports``, about 40 % of a month's tracked-hours report's Python time went to full passes
before (``bench/README.md``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000  # allocations between collections of the young generation (Python's default: 700)


@contextmanager
def tuned_collector(enabled: bool) -> Iterator[None]:
    """While the app runs: the collector tuned (when ``enabled``), then as it was (tests and embedders run
    several apps in one process)."""
    if not enabled:
        yield
        return
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
