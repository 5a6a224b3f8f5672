"""A realistic workspace for benchmarks, bulk-loaded into PostgreSQL with ``COPY``.

500 members in five timezones, 50 projects with 10 tasks each, 10 teams, 1-3 contracts per member,
and for every member every local working day 7-9 entries of 25-65 minutes (about 1,000,000 entries a
year), about 1 % of days with an evening entry across the member's midnight. Activity slots (D15) for
the last ``--slot-days`` days. Deterministic for a given ``--seed``.

    python -m bench.generate --url postgresql://root@127.0.0.1:5432/mydb [--years 1] [--members 500]

The database must be migrated already (``worktally.db.migrate.upgrade``); ``bench.reports`` does this.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from worktally.auth.tokens import create_personal_token
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.workspace.bootstrap import create_user, create_workspace

TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Los_Angeles")
CURRENCIES = ("USD", "EUR")
METHODS = ("Desktop tracker", "Desktop tracker", "Desktop tracker", "Web tracker", "Manually added time")
DESCRIPTIONS = ("Coding", "Review", "Meeting", "Design", "Support", "Planning", None)
ENTRY_COLUMNS = (
    "id, workspace_id, user_id, contract_id, project_id, task_id, activity_description, method,"
    " started_at, ended_at, duration_minutes, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class MemberPlan:
    user_id: int
    timezone: str
    contracts: tuple[tuple[int, int], ...]  # (contract_id, project_id)


@dataclass
class Generated:
    workspace_id: int
    owner_id: int
    token: str
    member_ids: list[int]
    entries: int = 0
    slots: int = 0
    first_day: date = field(default_factory=date.today)
    last_day: date = field(default_factory=date.today)
    plans: list[MemberPlan] = field(default_factory=list)


def conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _owner(url: str) -> tuple[int, int, str]:
    engine = create_engine_for(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            owner = await create_user(
                session, email="owner@bench.worktally.local", firstname="Bench", lastname="Owner", password=None
            )
            workspace = await create_workspace(session, owner=owner, name="Bench", timezone="Europe/Berlin")
            issued = await create_personal_token(session, user_id=owner.id, name="bench")
            return workspace.id, owner.id, issued.token
    finally:
        await engine.dispose()


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S+00")


def _structure(conn: psycopg.Connection, workspace_id: int, members: int, rng: random.Random) -> list[MemberPlan]:
    """Members, projects, tasks, teams and contracts; returns each member's plan."""
    now = _ts(datetime.now(UTC))
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM users")
        first_user = int(cur.fetchone()[0]) + 1  # type: ignore[index]
        user_ids = list(range(first_user, first_user + members))
        with cur.copy("COPY users (id, email, firstname, lastname, created_at, updated_at) FROM STDIN") as copy:
            for uid in user_ids:
                copy.write_row((uid, f"member{uid}@bench.worktally.local", f"Member{uid:04d}", "Bench", now, now))
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (user_ids[-1],))
        plans_tz = {uid: TIMEZONES[i % len(TIMEZONES)] for i, uid in enumerate(user_ids)}
        with cur.copy(
            "COPY memberships (workspace_id, user_id, role, status, timezone, title, rate, rate_status, rate_type,"
            " currency, weekly_hours_limit, screenshots, is_blocked, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, uid in enumerate(user_ids):
                role = "Regular User" if i % 25 else ("Team manager" if i % 50 else "Project manager")
                copy.write_row(
                    (
                        workspace_id,
                        uid,
                        role,
                        "active",
                        plans_tz[uid],
                        ("Developer", "Designer", "Tester")[i % 3],
                        f"{rng.randint(10, 60)}.00",
                        0,
                        "hourly",
                        CURRENCIES[i % 2],
                        168,
                        "full",
                        False,
                        now,
                        now,
                    )
                )
        project_ids = []
        for p in range(50):
            cur.execute(
                "INSERT INTO projects (workspace_id, name, is_billable, rate, currency, weekly_hours_limit,"
                " screenshots, status, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, 168, 'full', 1, %s, %s)"
                " RETURNING id",
                (workspace_id, f"Project {p:02d}", p % 5 != 0, "40.00", CURRENCIES[p % 2], now, now),
            )
            project_ids.append(int(cur.fetchone()[0]))  # type: ignore[index]
        tasks: dict[int, list[int]] = {}
        for pid in project_ids:
            cur.execute(
                "INSERT INTO tasks (workspace_id, project_id, title, status, priority, owner_id, creator_id,"
                " created_at, updated_at) SELECT %s, %s, 'Task ' || g, 0, 30, %s, %s, %s, %s"
                " FROM generate_series(1, 10) g RETURNING id",
                (workspace_id, pid, user_ids[0], user_ids[0], now, now),
            )
            tasks[pid] = [int(r[0]) for r in cur.fetchall()]
        for t in range(10):
            cur.execute(
                "INSERT INTO teams (workspace_id, name, created_at, updated_at) VALUES (%s, %s, %s, %s) RETURNING id",
                (workspace_id, f"Team {t}", now, now),
            )
            team_id = int(cur.fetchone()[0])  # type: ignore[index]
            for uid in user_ids[t * (members // 10) : (t + 1) * (members // 10)]:
                cur.execute(
                    "INSERT INTO team_members (team_id, user_id, is_manager) VALUES (%s, %s, false)", (team_id, uid)
                )
        plans = []
        for uid in user_ids:
            chosen = rng.sample(project_ids, rng.randint(1, 3))
            contracts = []
            for pid in chosen:
                cur.execute(
                    "INSERT INTO contracts (workspace_id, project_id, user_id, weekly_hours_limit, screenshots, rate,"
                    " rate_type, currency, status, created_at, updated_at)"
                    " VALUES (%s, %s, %s, 168, 'full', %s, 1, %s, 'active', %s, %s) RETURNING id",
                    (workspace_id, pid, uid, f"{rng.randint(15, 80)}.00", CURRENCIES[pid % 2], now, now),
                )
                contracts.append((int(cur.fetchone()[0]), pid))  # type: ignore[index]
            plans.append(MemberPlan(uid, plans_tz[uid], tuple(contracts)))
    conn.commit()
    _TASKS.update(tasks)
    return plans


_TASKS: dict[int, list[int]] = {}


def _entries_for_day(
    plan: MemberPlan, day: date, rng: random.Random
) -> Iterator[tuple[int, int, int | None, str | None, str, datetime, datetime]]:
    """(contract, project, task, description, method, start, end) for one local working day."""
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(plan.timezone)).astimezone(UTC)
    cursor = midnight + timedelta(minutes=rng.randint(7 * 60 + 30, 9 * 60 + 30))
    for _ in range(rng.randint(7, 9)):
        contract_id, project_id = rng.choice(plan.contracts)
        length = timedelta(minutes=rng.randint(25, 65))
        task = rng.choice(_TASKS[project_id]) if rng.random() < 0.8 else None
        yield contract_id, project_id, task, rng.choice(DESCRIPTIONS), rng.choice(METHODS), cursor, cursor + length
        cursor += length + timedelta(minutes=rng.randint(0, 15))
    if rng.random() < 0.01:  # an evening across the member's midnight
        start = midnight + timedelta(hours=23, minutes=15)
        contract_id, project_id = rng.choice(plan.contracts)
        yield contract_id, project_id, None, "Release", "Desktop tracker", start, start + timedelta(minutes=90)


def _load_time(
    conn: psycopg.Connection,
    workspace_id: int,
    plans: list[MemberPlan],
    first_day: date,
    last_day: date,
    slot_from: date,
    rng: random.Random,
    progress: Progress,
) -> tuple[int, int]:
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    task = progress.add_task(f"time {first_day} → {last_day}", total=len(days))
    entries = slots = 0
    now = _ts(datetime.now(UTC))
    with conn.cursor() as cur:
        for day in days:
            if day.weekday() >= 5:
                progress.advance(task)
                continue
            with cur.copy(f"COPY time_entries ({ENTRY_COLUMNS}) FROM STDIN") as copy:
                day_slots: list[tuple[int, int, str, int]] = []
                for plan in plans:
                    for contract_id, project_id, task_id, text, method, start, end in _entries_for_day(plan, day, rng):
                        minutes = int((end - start).total_seconds() // 60)
                        copy.write_row(
                            (
                                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                workspace_id,
                                plan.user_id,
                                contract_id,
                                project_id,
                                task_id,
                                text,
                                method,
                                _ts(start),
                                _ts(end),
                                minutes,
                                now,
                                now,
                            )
                        )
                        entries += 1
                        if day >= slot_from:
                            slot = start.replace(minute=start.minute - start.minute % 10, second=0)
                            while slot < end:
                                day_slots.append((workspace_id, plan.user_id, _ts(slot), rng.randint(20, 95)))
                                slot += timedelta(minutes=10)
            if day_slots:
                unique = {(s[1], s[2]): s for s in day_slots}
                with cur.copy(
                    "COPY activity_slots (workspace_id, user_id, slot_start, activity_level) FROM STDIN"
                ) as c:
                    for row in unique.values():
                        c.write_row(row)
                slots += len(unique)
            conn.commit()
            progress.advance(task)
    return entries, slots


def generate(
    url: str,
    *,
    years: int = 1,
    members: int = 500,
    slot_days: int = 31,
    last_day: date | None = None,
    seed: int = 7,
) -> Generated:
    """Create the workspace and ``years`` years of time ending at ``last_day`` (default yesterday)."""
    rng = random.Random(seed)
    workspace_id, owner_id, token = asyncio.run(_owner(url))
    last = last_day or date.today() - timedelta(days=1)
    first = last - timedelta(days=365 * years - 1)
    with psycopg.connect(conninfo(url)) as conn:
        plans = _structure(conn, workspace_id, members, rng)
        result = Generated(
            workspace_id, owner_id, token, [p.user_id for p in plans], first_day=first, last_day=last, plans=plans
        )
        with _progress() as progress:
            result.entries, result.slots = _load_time(
                conn, workspace_id, plans, first, last, last - timedelta(days=slot_days - 1), rng, progress
            )
        conn.execute("ANALYZE")
        conn.commit()
    return result


def extend_back(url: str, generated: Generated, *, years: int, seed: int = 11) -> int:
    """Add ``years`` more years of entries before the existing ones (same members); returns the count."""
    rng = random.Random(seed)
    plans = generated.plans
    last = generated.first_day - timedelta(days=1)
    first = last - timedelta(days=365 * years - 1)
    with psycopg.connect(conninfo(url)) as conn, _progress() as progress:
        entries, _ = _load_time(
            conn, generated.workspace_id, plans, first, last, last + timedelta(days=1), rng, progress
        )
        conn.execute("ANALYZE")
        conn.commit()
    generated.first_day = first
    generated.entries += entries
    return entries


async def _new_token(url: str, owner_id: int) -> str:
    engine = create_engine_for(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return (await create_personal_token(session, user_id=owner_id, name="bench")).token
    finally:
        await engine.dispose()


def load(url: str) -> Generated | None:
    """The workspace a previous ``generate`` left in this database (a fresh owner token), or None if there is none.

    Days are read back as the members' own dates of their first and last entries.
    """
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT w.id, w.owner_id FROM workspaces w JOIN users u ON u.id = w.owner_id"
            " WHERE u.email = 'owner@bench.worktally.local' ORDER BY w.id LIMIT 1"
        )
        found = cur.fetchone()
        if found is None:
            return None
        workspace_id, owner_id = int(found[0]), int(found[1])
        cur.execute(
            "SELECT m.user_id, m.timezone FROM memberships m WHERE m.workspace_id = %s AND m.user_id <> %s"
            " ORDER BY m.user_id",
            (workspace_id, owner_id),
        )
        zones = {int(uid): str(tz) for uid, tz in cur.fetchall()}
        cur.execute(
            "SELECT user_id, id, project_id FROM contracts WHERE workspace_id = %s ORDER BY id", (workspace_id,)
        )
        contracts: dict[int, list[tuple[int, int]]] = {}
        for uid, cid, pid in cur.fetchall():
            contracts.setdefault(int(uid), []).append((int(cid), int(pid)))
        cur.execute("SELECT project_id, id FROM tasks WHERE workspace_id = %s ORDER BY id", (workspace_id,))
        tasks: dict[int, list[int]] = {}
        for pid, tid in cur.fetchall():
            tasks.setdefault(int(pid), []).append(int(tid))
        cur.execute(
            "SELECT count(*), min(timezone(m.timezone, te.started_at)::date), max(timezone(m.timezone, te.started_at)::date)"
            " FROM time_entries te JOIN memberships m ON m.workspace_id = te.workspace_id AND m.user_id = te.user_id"
            " WHERE te.workspace_id = %s",
            (workspace_id,),
        )
        entries, first, last = cur.fetchone()  # type: ignore[misc]
    if not entries:
        return None
    _TASKS.update(tasks)
    plans = [MemberPlan(uid, tz, tuple(contracts.get(uid, ()))) for uid, tz in zones.items()]
    token = asyncio.run(_new_token(url, owner_id))
    return Generated(
        workspace_id,
        owner_id,
        token,
        [p.user_id for p in plans],
        entries=int(entries),
        first_day=first,
        last_day=last,
        plans=plans,
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a migrated PostgreSQL database")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--slot-days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = generate(args.url, years=args.years, members=args.members, slot_days=args.slot_days, seed=args.seed)
    print(
        f"workspace {result.workspace_id}: {len(result.member_ids)} members, {result.entries} entries,"
        f" {result.slots} activity slots, {result.first_day} → {result.last_day}; owner token {result.token}"
    )


if __name__ == "__main__":
    main()
