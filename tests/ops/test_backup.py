"""D20: ``worktally backup`` / ``worktally restore``: one portable file, SQLite ⇄ PostgreSQL with every row equal."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tests.conftest import create_postgres_database, drop_postgres_database, need_service
from tests.factories import Tenants
from tests.platform.processes import cli_env, run_cli
from worktally.db.migrate import upgrade
from worktally.ops import backup as backups
from worktally.ops import restore as restores
from worktally.ops.backup_file import BackupError, open_engine
from worktally.ops.health import head_revisions

pytestmark = pytest.mark.slow


class PostgresDatabases:
    def __init__(self) -> None:
        self.server = ""
        self.names: list[str] = []

    def new(self) -> str:
        self.server = self.server or need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
        url, name = create_postgres_database(self.server, prefix="wt_ops_backup")
        self.names.append(name)
        return url


@pytest.fixture
def postgres() -> Iterator[PostgresDatabases]:
    """PostgreSQL databases made on demand (``new()``; the server is required only then), dropped at the end."""
    databases = PostgresDatabases()
    yield databases
    for name in databases.names:
        drop_postgres_database(databases.server, name)


def backup_cli(url: str, file: Path, cwd: Path) -> dict[str, object]:
    done = run_cli("backup", str(file), env=cli_env(url), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.json()


def restore_cli(url: str, file: Path, cwd: Path) -> dict[str, object]:
    done = run_cli("restore", str(file), env=cli_env(url), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.json()


def assert_same_rows(first: str, second: str) -> None:
    left, right = backups.dump_rows(first), backups.dump_rows(second)
    assert left.keys() == right.keys()
    for table in left:
        assert left[table] == right[table], f"{table} differs"


def next_id_is_free(url: str, table: str) -> None:
    with psycopg.connect(url) as conn:
        highest = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]  # type: ignore[index]
        following = conn.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))").fetchone()[0]  # type: ignore[index]
        assert following > highest


class TestRoundTrips:
    def test_demo_data_sqlite_to_postgresql_and_back(self, tmp_path: Path, postgres: PostgresDatabases) -> None:
        sqlite_a = f"sqlite:///{tmp_path}/a.sqlite3"
        demo = run_cli("demo", env=cli_env(sqlite_a), cwd=tmp_path)
        assert demo.returncode == 0, demo.stderr
        pg_b, sqlite_c = postgres.new(), f"sqlite:///{tmp_path}/c.sqlite3"

        written = backup_cli(sqlite_a, tmp_path / "a.wtb", tmp_path)
        restored = restore_cli(pg_b, tmp_path / "a.wtb", tmp_path)
        backup_cli(pg_b, tmp_path / "b.wtb", tmp_path)
        restore_cli(sqlite_c, tmp_path / "b.wtb", tmp_path)

        assert written["rows"] == restored["rows"]
        assert isinstance(written["tables"], dict) and written["tables"]["time_entries"] > 100  # type: ignore[operator]
        assert written["tables"] == restored["tables"]
        assert_same_rows(sqlite_a, pg_b)
        assert_same_rows(sqlite_a, sqlite_c)
        for table in ("users", "workspaces", "projects", "tasks", "contracts"):
            next_id_is_free(pg_b, table)

    def test_bench_workspace_postgresql_to_sqlite_and_back(self, tmp_path: Path, postgres: PostgresDatabases) -> None:
        from bench.generate import generate

        pg_d = postgres.new()
        upgrade(pg_d)
        generated = generate(pg_d, years=1, members=4, slot_days=3, last_day=date(2026, 6, 30))
        sqlite_e, pg_f = f"sqlite:///{tmp_path}/e.sqlite3", postgres.new()

        written = backup_cli(pg_d, tmp_path / "d.wtb", tmp_path)
        restore_cli(sqlite_e, tmp_path / "d.wtb", tmp_path)
        backup_cli(sqlite_e, tmp_path / "e.wtb", tmp_path)
        restore_cli(pg_f, tmp_path / "e.wtb", tmp_path)

        assert written["tables"]["time_entries"] == generated.entries  # type: ignore[index]
        assert_same_rows(pg_d, sqlite_e)
        assert_same_rows(pg_d, pg_f)
        next_id_is_free(pg_f, "contracts")


class TestBackup:
    def test_the_file_names_its_revision_and_counts(self, tmp_path: Path, database_url: str) -> None:
        file = tmp_path / "x.wtb"

        summary = backups.backup(database_url, file)

        with gzip.open(file, "rt") as source:
            header = json.loads(source.readline())
            first_table = json.loads(source.readline())
        assert header["format"] == "worktally-backup" and header["version"] == 1
        assert header["revision"] == ",".join(sorted(head_revisions()))
        assert header["tables"] == summary.tables
        assert first_table == {"table": next(iter(header["tables"])), "columns": first_table["columns"]}
        assert file.stat().st_mode & 0o777 == 0o600

    @pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
    def test_is_a_snapshot_while_others_write(self, tmp_path: Path, kind: str, postgres: PostgresDatabases) -> None:
        url = f"sqlite:///{tmp_path}/live.sqlite3" if kind == "sqlite" else postgres.new()
        done = run_cli("demo", env=cli_env(url), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        writer = open_engine(url, writing=True)
        wrote: list[str] = []

        def write_meanwhile(table: str, _rows: int) -> None:
            if not wrote:  # once the snapshot is being read: another session commits new rows
                with writer.begin() as conn:
                    conn.execute(text("UPDATE workspaces SET name = 'renamed meanwhile'"))
                    conn.execute(text("DELETE FROM time_entries"))
                wrote.append(table)

        before = backups.dump_rows(url)
        summary = backups.backup(url, tmp_path / "live.wtb", progress=write_meanwhile)
        writer.dispose()
        target = f"sqlite:///{tmp_path}/copy.sqlite3"
        restore_cli(target, tmp_path / "live.wtb", tmp_path)

        assert wrote == ["users"]
        assert summary.tables["time_entries"] == len(before["time_entries"]) > 0
        assert backups.dump_rows(target) == before


class TestRestore:
    async def test_refuses_a_target_that_is_not_empty(
        self, tmp_path: Path, database_url: str, tenants: Tenants
    ) -> None:
        await tenants.workspace()
        file = tmp_path / "x.wtb"
        backups.backup(database_url, file)

        done = run_cli("restore", str(file), env=cli_env(database_url), cwd=tmp_path)

        assert done.returncode == 1
        assert done.stdout == ""
        assert "the target database is not empty: " in done.stderr

    def test_refuses_a_file_that_is_not_a_backup(self, tmp_path: Path) -> None:
        file = tmp_path / "not.wtb"
        file.write_text("hello")

        done = run_cli("restore", str(file), env=cli_env(f"sqlite:///{tmp_path}/t.sqlite3"), cwd=tmp_path)

        assert done.returncode == 1
        assert "is not a Worktally backup" in done.stderr

    def test_refuses_another_schema_revision(self, tmp_path: Path, database_url: str) -> None:
        file = tmp_path / "x.wtb"
        backups.backup(database_url, file)
        with gzip.open(file, "rt") as source:
            lines = source.read().splitlines()
        header = json.loads(lines[0]) | {"revision": "0000older"}
        with gzip.open(file, "wt") as out:
            out.write("\n".join([json.dumps(header), *lines[1:]]) + "\n")
        target = f"sqlite:///{tmp_path}/t.sqlite3"
        upgrade(target)

        with pytest.raises(BackupError, match="schema revision 0000older"):
            restores.restore(target, file, expected_revision=",".join(sorted(head_revisions())))
