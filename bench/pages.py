"""How long Today and My week take on the server: ``python -m bench.pages`` (``make bench-pages``).

A fresh demo workspace (``worktally demo``) on a temporary SQLite file; the app in process, called through
httpx's ASGI transport (no sockets: what is timed is the server's work, routing to the last byte). Signed in
as the demo member (a browser session), it renders

- ``GET /`` (Today: the timer, the day's entries, the project/task choices, the week's timesheet) and
- ``GET /week`` (the task report laid out as a grid, the timesheet),

and, in the same run, the API calls a client makes for the same data with the member's token:

- Today: ``/time-tracking/current-data``, ``/time-entries`` (the day), ``/timesheets`` (the week),
  ``/contracts`` and ``/tasks`` (the choices), one after another;
- My week: ``/reports/task-report`` (the week) and ``/timesheets``.

The four run interleaved, round after round. It prints the median and 95th percentile of each and the page/API ratio; the aim is each page under 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
MEMBER = "dev.patel@demo.worktally.local"
PASSWORD = "demo-password"
AIM_MS = 30.0


def _seed(database: Path) -> None:
    env = {**os.environ, "WORKTALLY_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [str(ROOT / ".venv/bin/worktally"), "demo"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=database.parent
    )


@asynccontextmanager
async def signed_in(
    app: Any, email: str, password: str, token: str
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A browser signed in as ``email`` (through the sign-in form) and an API client with ``token``, in process."""
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://bench") as browser,
        httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"Authorization": f"Bearer {token}"}
        ) as api,
    ):
        page = await browser.get("/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        signed = await browser.post(
            "/sign-in", data={"csrf_token": csrf, "email": email, "password": password, "next": "/"}
        )
        assert signed.status_code == 303, signed.text
        yield browser, api


async def _interleaved(
    calls: dict[str, Callable[[], Awaitable[None]]], rounds: int, warmup: int
) -> dict[str, list[float]]:
    """Each call once per round, in turn, so that a burst of other work on the machine weighs on all alike."""
    for _ in range(warmup):
        for call in calls.values():
            await call()
    samples: dict[str, list[float]] = {label: [] for label in calls}
    for _ in range(rounds):
        for label, call in calls.items():
            started = time.perf_counter()
            await call()
            samples[label].append((time.perf_counter() - started) * 1000)
    return samples


def _summary(label: str, samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"  {label:<34} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    return median, p95


async def run(database: Path, rounds: int, warmup: int) -> int:
    from sqlalchemy import select

    from worktally.auth.tokens import create_personal_token
    from worktally.config import Settings
    from worktally.db.models import User
    from worktally.main import create_app

    settings = Settings(
        database_url=f"sqlite:///{database}",
        secret_key="bench-pages-secret",
        rate_limit_per_minute=10_000_000,
        webhooks_inprocess_worker=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with app.state.sessionmaker() as session, session.begin():
            user = (await session.execute(select(User).where(User.email == MEMBER))).scalar_one()
            token = (await create_personal_token(session, user_id=user.id, name="bench")).token
        async with signed_in(app, MEMBER, PASSWORD, token) as (browser, api):
            workspaces = (await api.get("/api/v2/workspaces")).json()["data"]
            ws = workspaces[0]["id"]
            today_page = await browser.get("/")
            tz_day = re.search(r'name="date" value="(\d{4}-\d\d-\d\d)"', today_page.text)
            today = date.fromisoformat(tz_day.group(1)) if tz_day else date.today()
            monday = today - timedelta(days=today.weekday())
            sunday = monday + timedelta(days=6)
            week = {"date_from": monday.isoformat(), "date_to": sunday.isoformat(), "user_id": user.id}

            async def get_ok(client: httpx.AsyncClient, path: str, **params: object) -> None:
                response = await client.get(path, params={"workspace_id": ws, **params} if client is api else params)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])

            async def today_html() -> None:
                await get_ok(browser, "/")

            async def today_api() -> None:
                await get_ok(api, "/api/v2/time-tracking/current-data")
                await get_ok(api, "/api/v2/time-entries", user_id=user.id, date=today.isoformat(), per_page=50)
                await get_ok(api, "/api/v2/timesheets", **week)
                await get_ok(api, "/api/v2/contracts", user_id=user.id, status="active", per_page=100)
                await get_ok(api, "/api/v2/tasks", per_page=100)

            async def week_html() -> None:
                await get_ok(browser, "/week")

            async def week_api() -> None:
                await get_ok(
                    api,
                    "/api/v2/reports/task-report",
                    start_date=monday.isoformat(),
                    end_date=sunday.isoformat(),
                    users=str(user.id),
                )
                await get_ok(api, "/api/v2/timesheets", **week)

            print(f"bench.pages: SQLite, the demo member ({MEMBER}), {rounds} rounds after {warmup} warm-up")
            calls = {
                "Today page  GET /": today_html,
                "Today via the API (5 calls)": today_api,
                "My week page  GET /week": week_html,
                "My week via the API (2 calls)": week_api,
            }
            samples = await _interleaved(calls, rounds, warmup)
            results = {label: _summary(label, samples[label]) for label in calls}
    today_ratio = results["Today page  GET /"][0] / results["Today via the API (5 calls)"][0]
    week_ratio = results["My week page  GET /week"][0] / results["My week via the API (2 calls)"][0]
    print(f"  page/API (medians): Today {today_ratio:.2f}   My week {week_ratio:.2f}")
    worst = max(results["Today page  GET /"][0], results["My week page  GET /week"][0])
    verdict = "meets" if worst < AIM_MS else "misses"
    print(f"  aim: each page under {AIM_MS:.0f} ms (median): {verdict} it (slowest {worst:.2f} ms)")
    return 0 if worst < AIM_MS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "demo.sqlite3"
        _seed(database)
        return asyncio.run(run(database, args.rounds, args.warmup))


if __name__ == "__main__":
    sys.exit(main())
