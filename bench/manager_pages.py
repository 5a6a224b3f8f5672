"""The manager's tracked-hours page against the API's JSON report for the same month, on PostgreSQL:
``python -m bench.manager_pages`` (``make bench-manager``), issue #17.

Creates its own database on ``WORKTALLY_BENCH_POSTGRES_URL`` (default ``postgresql://root@127.0.0.1:5432/test``)
and loads ``bench.generate``'s workspace (500 members, a year of entries; ``--database NAME`` generates it once
and reuses it afterwards). The app runs in process behind httpx's ASGI transport (no sockets: what is timed is
the server's work, routing to the last byte). The owner, signed in as a browser session, renders

- ``GET /reports/tracked-hours`` for the last month (the stacked bars per day, the donut by project, the tables
  by member and by project, the filters' choices, the layout with the approvals' counts),

and, in the same run, interleaved round after round, the owner's token asks the API for the same report:

- ``GET /api/v2/reports/tracked-hours`` for the same month (JSON).

It checks that the page's total is the API's total, prints the median and 95th percentile of each and the
page/API ratio of the medians; the aim is at most 1.3 times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
from datetime import date, timedelta

import httpx
import psycopg
from sqlalchemy.engine import make_url

from bench.generate import Generated, conninfo, generate, load
from bench.pages import signed_in
from bench.reports import DEFAULT_SERVER, _database
from worktally.config import Settings
from worktally.core.passwords import hash_password
from worktally.main import create_app

OWNER = "owner@bench.worktally.local"
PASSWORD = "bench-manager-password"
AIM = 1.3


def _with_password(url: str) -> None:
    with psycopg.connect(conninfo(url)) as conn:
        conn.execute("UPDATE users SET password_hash = %s WHERE email = %s", (hash_password(PASSWORD), OWNER))


def _summary(label: str, samples: list[float]) -> float:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"  {label:<40} median {median:8.2f} ms   p95 {p95:8.2f} ms")
    return median


async def run(url: str, data: Generated, rounds: int, warmup: int) -> float:
    end = data.last_day
    start = end - timedelta(days=30)
    month = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    settings = Settings(
        database_url=url,
        rate_limit_per_minute=10**9,
        secret_key="bench-manager-secret",
        webhooks_inprocess_worker=False,
        db_pool_size=4,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), signed_in(app, OWNER, PASSWORD, data.token) as (browser, api):

        async def page_html() -> httpx.Response:
            response = await browser.get("/reports/tracked-hours", params=month)
            assert response.status_code == 200, response.text[:300]
            return response

        async def api_json() -> httpx.Response:
            response = await api.get(
                "/api/v2/reports/tracked-hours", params={"workspace_id": data.workspace_id, **month}
            )
            assert response.status_code == 200, response.text[:300]
            return response

        total = (await api_json()).json()["data"]["total"]["total_minutes"]
        html = (await page_html()).text
        shown = re.search(r'id="total-minutes" data-minutes="(\d+)"', html)
        assert shown is not None and int(shown.group(1)) == int(total), (shown, total)  # the same numbers
        print(f"month {start} → {end}: {int(total):,} minutes tracked, page {len(html):,} bytes")

        calls = {"page  GET /reports/tracked-hours": page_html, "API   GET /api/v2/reports/tracked-hours": api_json}
        for _ in range(warmup):
            for call in calls.values():
                await call()
        samples: dict[str, list[float]] = {label: [] for label in calls}
        for _ in range(rounds):
            for label, call in calls.items():
                started = time.perf_counter()
                await call()
                samples[label].append((time.perf_counter() - started) * 1000)
    page_ms, api_ms = (_summary(label, values) for label, values in samples.items())
    ratio = page_ms / api_ms
    print(f"  page / API: {ratio:.2f}x (aim <= {AIM}x) {'ok' if ratio <= AIM else 'OVER'}")
    return ratio


async def _measure(url: str, existed: bool, args: argparse.Namespace) -> None:
    data = await asyncio.to_thread(load, url) if existed else None
    if data is None:
        data = await asyncio.to_thread(
            generate, url, years=1, members=args.members, last_day=date.today() - timedelta(days=1)
        )
    await asyncio.to_thread(_with_password, url)
    await run(url, data, args.rounds, args.warmup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--database", metavar="NAME", help="use this database and keep it: generated the first time, reused afterwards"
    )
    args = parser.parse_args()
    server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER)
    url, existed = _database(server, args.database)
    try:
        asyncio.run(_measure(url, existed, args))
    finally:
        if args.database is None:
            with psycopg.connect(conninfo(server), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        else:
            print(f"kept {url}")


if __name__ == "__main__":
    main()
