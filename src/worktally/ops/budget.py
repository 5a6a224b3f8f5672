"""The connection budget of ``worktally serve --workers N`` on PostgreSQL (issue #19).

Each server process may hold at most

    per process = P (session pool) + P (its overflow) + P (the read pool of prepared reads)
                  + 2 * O (the OAuth2 server's synchronous engine: pool O plus overflow O, O = 5)

with P = ``WORKTALLY_DB_POOL_SIZE``. The in-process webhook worker uses the session pool, so it adds none.
``N`` processes hold at most ``N * per process``; PostgreSQL accepts ``max_connections`` minus the slots kept
for superusers (``superuser_reserved_connections``, and ``reserved_connections`` from PostgreSQL 16).
``serve`` refuses to start, with these numbers, when the first exceeds the second. ``worktally worker``
processes hold up to ``2 * max(2, min(concurrency, P))`` each, counted by the operator on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OAUTH_POOL_SIZE = 5  # auth/oauth2/engine.py: sync_engine(pool_size=5), with as much overflow


@dataclass(frozen=True, slots=True)
class Budget:
    workers: int
    pool_size: int
    per_process: int
    total: int
    max_connections: int
    reserved: int
    in_use: int

    @property
    def available(self) -> int:
        return self.max_connections - self.reserved

    @property
    def fits(self) -> bool:
        return self.total <= self.available

    def explain(self) -> str:
        p = self.pool_size
        return (
            f"{self.workers} worker(s) x ({p} session pool + {p} overflow + {p} read pool"
            f" + {2 * OAUTH_POOL_SIZE} OAuth2 engine) = {self.total} connections, but PostgreSQL accepts"
            f" {self.available} (max_connections {self.max_connections} - {self.reserved} reserved;"
            f" {self.in_use} in use now)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "pool_size": self.pool_size,
            "per_process": self.per_process,
            "total": self.total,
            "max_connections": self.max_connections,
            "reserved": self.reserved,
            "available": self.available,
            "in_use": self.in_use,
        }


def per_process(pool_size: int) -> int:
    return 3 * pool_size + 2 * OAUTH_POOL_SIZE


def server_limits(sync_database_url: str) -> tuple[int, int, int]:
    """(max_connections, reserved for superusers and roles, connections open now) of the PostgreSQL server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(sync_database_url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            max_connections = int(conn.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
            extra = conn.execute(text("SELECT current_setting('reserved_connections', true)")).scalar_one()
            in_use = int(conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    finally:
        engine.dispose()
    return max_connections, reserved + (int(extra) if extra else 0), in_use


def compute(database_url: str, *, workers: int, pool_size: int) -> Budget | None:
    """The budget of ``workers`` processes; None on SQLite (one file, no server-side connection limit)."""
    from worktally.db.session import sync_url

    if not database_url.startswith("postgres"):
        return None
    max_connections, reserved, in_use = server_limits(sync_url(database_url))
    each = per_process(pool_size)
    return Budget(
        workers=workers,
        pool_size=pool_size,
        per_process=each,
        total=workers * each,
        max_connections=max_connections,
        reserved=reserved,
        in_use=in_use,
    )
