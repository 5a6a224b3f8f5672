"""Prometheus metrics (D20): what ``GET /metrics`` shows, and the cheap calls the HTTP middleware makes.

Per request the middleware adds one to a counter and one observation to a histogram, each labelled by
method, route *template* (``/api/v2/projects/{project_id}``, never the path) and status; label children are
cached, so a request costs a dictionary lookup and two locked additions. 429s are counted once more by route.

The webhook queue (pending deliveries, the oldest pending event's age, deliveries given up) is read from the
database when scraped, so any process answers for all of them. Connection pools are this process's: each
process samples its own pools every few seconds and when it answers a scrape.

Several processes (``serve --workers N``): ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory
before the workers start, and a scrape, whichever worker answers it, adds up every live worker's counters,
histograms and pool gauges (prometheus-client's multiprocess mode). Separate ``worktally serve`` processes
(several hosts, or several services on one) are scraped one by one, each for itself.

Nothing here carries workspace data or user ids: the labels are methods, route templates, statuses and pool names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: they double the output and nobody graphs them
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "worktally_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "worktally_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method and route template.",
    ("method", "route"),
    registry=REGISTRY,
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMITED = Counter(
    "worktally_http_rate_limited",
    "Requests refused with 429 (D8), by route template.",
    ("route",),
    registry=REGISTRY,
)
POOL_SIZE = Gauge(
    "worktally_db_pool_size",
    "Connections a pool may hold (session pool: its size plus overflow), summed over live processes.",
    ("pool",),
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "worktally_db_pool_checked_out",
    "Connections of a pool in use right now, summed over live processes.",
    ("pool",),
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "worktally_db_pool_open",
    "Connections a pool holds open (in use or idle), summed over live processes.",
    ("pool",),
    registry=REGISTRY,
    multiprocess_mode="livesum",
)

_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    pair = _children.get(key)
    if pair is None:
        label = method if method in _METHODS else "OTHER"
        pair = _children[key] = (REQUESTS.labels(label, route, str(status)), LATENCY.labels(label, route))
        if len(_children) > 10_000:  # a bound on memory whatever the traffic; templates keep it far below
            _children.clear()
    pair[0].inc()
    pair[1].observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def prepare_multiprocess_dir(path: Path) -> None:
    """Empty ``path`` (a previous run's files would be added in) and make it; ``serve`` calls it before forking."""
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


_PID = re.compile(r"_(\d+)\.db$")


def _forget_dead_processes(path: Path) -> None:
    """A worker killed without a goodbye leaves its live gauges behind: drop those of processes now gone."""
    from prometheus_client import multiprocess

    for pid in {int(m.group(1)) for f in path.glob("gauge_live*.db") if (m := _PID.search(f.name))}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]
        except PermissionError:
            pass


@dataclass(frozen=True, slots=True)
class PoolSample:
    pool: str
    size: int
    checked_out: int
    open: int


def sample_pools(samples: Iterable[PoolSample]) -> None:
    for sample in samples:
        POOL_SIZE.labels(sample.pool).set(sample.size)
        POOL_CHECKED_OUT.labels(sample.pool).set(sample.checked_out)
        POOL_OPEN.labels(sample.pool).set(sample.open)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    pending: int
    oldest_pending_age_seconds: float
    failed: int


class _QueueCollector(Collector):
    def __init__(self, figures: QueueFigures | None) -> None:
        self.figures = figures

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("worktally_webhook_queue_readable", "1 when the webhook queue could be read now.")
        up.add_metric([], 0 if self.figures is None else 1)
        yield up
        if self.figures is None:
            return
        pending = GaugeMetricFamily("worktally_webhook_queue_depth", "Webhook deliveries waiting to be delivered.")
        pending.add_metric([], self.figures.pending)
        yield pending
        oldest = GaugeMetricFamily(
            "worktally_webhook_oldest_pending_age_seconds",
            "Age of the oldest event with a delivery still pending (0 when none is).",
        )
        oldest.add_metric([], self.figures.oldest_pending_age_seconds)
        yield oldest
        failed = GaugeMetricFamily(
            "worktally_webhook_deliveries_failed", "Webhook deliveries given up after their last attempt."
        )
        failed.add_metric([], self.figures.failed)
        yield failed


def exposition(queue: QueueFigures | None) -> bytes:
    """The text of ``GET /metrics``: this process's (or every worker's) metrics, then the queue's."""
    path = multiprocess_dir()
    if path is not None:
        from prometheus_client import multiprocess

        _forget_dead_processes(path)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, str(path))  # type: ignore[no-untyped-call]
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(_QueueCollector(queue))
    return own + generate_latest(extra)
