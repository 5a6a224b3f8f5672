"""``worktally backup FILE`` (D20): every table in one portable file (``ops/backup_file.py``), and
``dump_rows``, what "every row equal" compares after a round trip.

The backup reads every table in one read-only transaction (REPEATABLE READ on PostgreSQL; on SQLite one read
transaction, which WAL keeps on its snapshot), so a server that goes on writing meanwhile yields a consistent
file. The restore is ``ops/restore.py``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Connection, Table, select

from worktally.core.clock import utc_now
from worktally.ops.backup_file import (
    BATCH,
    COMPRESS_LEVEL,
    FORMAT,
    VERSION,
    BackupError,
    Progress,
    Summary,
    count_rows,
    encoder,
    kind_of,
    open_engine,
    revision_of,
    tables,
)


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def backup(
    database_url: str, path: Path, *, on_start: Callable[[int], None] | None = None, progress: Progress | None = None
) -> Summary:
    """Write every table of ``database_url`` to ``path`` from one consistent snapshot."""
    engine = open_engine(database_url, writing=False)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                summary = Summary(revision=revision_of(conn))
                if summary.revision is None:
                    raise BackupError("the database has never been migrated: there is nothing to back up")
                for table in tables():
                    summary.tables[table.name] = count_rows(conn, table)
                if on_start is not None:
                    on_start(summary.rows)
                tmp = path.with_name(path.name + ".partial")
                tmp.unlink(missing_ok=True)
                tmp.touch(mode=0o600)  # it holds password hashes and webhook secrets: the owner's eyes only
                with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=COMPRESS_LEVEL) as out:
                    _write_header(out, summary, conn.dialect.name)
                    for table in tables():
                        _write_table(conn, table, out, progress)
                tmp.replace(path)
    finally:
        engine.dispose()
    return summary


def _write_header(out: IO[str], summary: Summary, dialect: str) -> None:
    header = {
        "format": FORMAT,
        "version": VERSION,
        "revision": summary.revision,
        "dialect": dialect,
        "created_at": utc_now().isoformat(),
        "tables": summary.tables,
    }
    out.write(json.dumps(header) + "\n")


def _result_processors(
    conn: Connection, columns: list[Column[Any]], description: Any
) -> list[Callable[[Any], Any] | None]:
    dialect = conn.dialect
    return [
        column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        for column, described in zip(columns, description, strict=True)
    ]


def _then(first: Callable[[Any], Any] | None, second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    if first is None:
        return second
    return lambda value: second(first(value))


def _write_table(conn: Connection, table: Table, out: IO[str], progress: Progress | None) -> None:
    """The table's rows from the driver's own cursor (server-side on PostgreSQL), through each column's result
    processing, encoded by type: SQLAlchemy's row objects cost more than all the rest at a million rows."""
    columns = list(table.columns)
    encoders = [encoder(kind_of(c)) for c in columns]
    out.write(json.dumps({"table": table.name, "columns": [c.name for c in columns]}) + "\n")
    raw: Any = conn.connection.driver_connection
    sql = str(_ordered(table).compile(dialect=conn.dialect))
    cursor = raw.cursor(name=f"worktally_backup_{table.name}") if conn.dialect.name == "postgresql" else raw.cursor()
    try:
        cursor.execute(sql)
        processors = _result_processors(conn, columns, cursor.description)
        readers = [_then(p, e) for p, e in zip(processors, encoders, strict=True)]
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        while rows := cursor.fetchmany(BATCH):
            out.write("".join(dumps([read(v) for read, v in zip(readers, row, strict=True)]) + "\n" for row in rows))
            if progress is not None:
                progress(table.name, len(rows))
    finally:
        cursor.close()


# Comparing (the round-trip tests, and a check an operator may run) ---------------------------------------------


def dump_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order, as written to a backup: what "every row equal" compares."""
    engine = open_engine(database_url, writing=False)
    try:
        with engine.connect() as conn, conn.begin():
            dumped: dict[str, list[tuple[Any, ...]]] = {}
            for table in tables():
                encoders = [encoder(kind_of(c)) for c in table.columns]
                keys = [i for i, c in enumerate(table.columns) if c.primary_key]
                rows = [
                    tuple(enc(v) for enc, v in zip(encoders, row, strict=True)) for row in conn.execute(select(table))
                ]
                # Sorted here, not by the database: PostgreSQL's collation and SQLite's byte order differ.
                dumped[table.name] = sorted(rows, key=lambda r: json.dumps([r[i] for i in keys]))
            return dumped
    finally:
        engine.dispose()
