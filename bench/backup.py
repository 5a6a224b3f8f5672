"""``worktally backup`` / ``worktally restore`` for a year of a 500-member workspace (issue #19, D20).

Generates the ``bench.generate`` workspace (500 members, one year: about a million time entries) into a fresh
PostgreSQL database, then times, each as the operator runs it (the ``worktally`` command in a process of its own):

- ``worktally backup`` of the PostgreSQL database, against ``pg_dump -Fc`` of the same database (the baseline);
- ``worktally restore`` into an empty PostgreSQL database, against ``pg_restore`` into another;
- ``worktally restore`` into an empty SQLite file (the move the other way), and a backup of that file.

It prints seconds, rows per second and file sizes, and the ratios to the baseline measured in the same run.

    python -m bench.backup [--server postgresql://root@127.0.0.1:5432/test] [--members 500] [--years 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.api_overhead import bench_database
from bench.generate import generate
from worktally.db.migrate import upgrade

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"
console = Console(stderr=True)


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    rows: int
    size: int | None = None


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    yield box
    box.append(time.perf_counter() - started)


def worktally(*args: str, database_url: str, cwd: Path) -> dict[str, object]:
    """Run the operator command as a user would; its one JSON object."""
    env = {**os.environ, "WORKTALLY_DATABASE_URL": database_url, "WORKTALLY_LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).with_name("worktally")), *args]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worktally {' '.join(args)} failed: {done.stderr.strip()}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").replace("postgresql+psycopg://", "postgresql://")


def rows_of(summary: dict[str, object]) -> int:
    tables = summary["tables"]
    assert isinstance(tables, dict)
    return sum(int(n) for n in tables.values())


def run(server: str, members: int, years: int) -> list[Step]:
    steps: list[Step] = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wt-bench-backup-")))
        source = stack.enter_context(bench_database(server, "source_"))
        upgrade(source)
        console.print(f"[bold]Generating[/] {members} members, {years} year(s) of time")
        generated = generate(source, years=years, members=members)
        console.print(f"{generated.entries:,} time entries")

        dump = work / "baseline.pgdump"
        with timed() as t:
            subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq(source)], check=True)
        steps.append(Step("pg_dump -Fc (baseline)", t[0], 0, dump.stat().st_size))

        file = work / "year.wtb"
        with timed() as t:
            written = worktally("backup", str(file), database_url=source, cwd=work)
        total = rows_of(written)
        steps.append(Step("worktally backup (PostgreSQL)", t[0], total, file.stat().st_size))

        baseline_target = stack.enter_context(bench_database(server, "baseline_"))
        with timed() as t:
            subprocess.run(["pg_restore", "--no-owner", "-d", libpq(baseline_target), str(dump)], check=True)
        steps.append(Step("pg_restore (baseline)", t[0], 0))

        target = stack.enter_context(bench_database(server, "target_"))
        with timed() as t:
            restored = worktally("restore", str(file), database_url=target, cwd=work)
        steps.append(Step("worktally restore → PostgreSQL", t[0], rows_of(restored)))

        sqlite = f"sqlite:///{work}/restored.sqlite3"
        with timed() as t:
            restored = worktally("restore", str(file), database_url=sqlite, cwd=work)
        steps.append(Step("worktally restore → SQLite", t[0], rows_of(restored)))

        again = work / "again.wtb"
        with timed() as t:
            worktally("backup", str(again), database_url=sqlite, cwd=work)
        steps.append(Step("worktally backup (SQLite)", t[0], total, again.stat().st_size))
        shutil.rmtree(work, ignore_errors=True)
    return steps


def report(steps: list[Step], members: int, years: int) -> Table:
    by_name = {s.name: s for s in steps}
    dump, pg_restore = by_name["pg_dump -Fc (baseline)"], by_name["pg_restore (baseline)"]
    table = Table(title=f"backup / restore, {years} year(s) of a {members}-member workspace")
    for column in ("step", "seconds", "rows/s", "file MB", "x baseline"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for step in steps:
        base = dump if "backup" in step.name or "dump" in step.name else pg_restore
        table.add_row(
            step.name,
            f"{step.seconds:.1f}",
            f"{step.rows / step.seconds:,.0f}" if step.rows else "",
            f"{step.size / 1e6:.1f}" if step.size else "",
            f"{step.seconds / base.seconds:.2f}",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER))
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--years", type=int, default=1)
    options = parser.parse_args()
    steps = run(options.server, options.members, options.years)
    Console().print(report(steps, options.members, options.years))


if __name__ == "__main__":
    main()
