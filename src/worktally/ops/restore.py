"""``worktally restore FILE`` (D20): a backup file (``ops/backup_file.py``) into an empty database.

The restore migrates the target to head (the CLI does), refuses unless every table is empty and the file's
revision is the code's, inserts in foreign-key order in one transaction (a self-reference, such as a task's
parent, is set once every row of its table is in) and moves PostgreSQL's sequences past the restored ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, Table, bindparam, func, select, text, update

from worktally.ops.backup_file import (
    BATCH,
    BackupError,
    Progress,
    Summary,
    count_rows,
    decoder,
    kind_of,
    open_engine,
    read_header,
    rows_of,
    tables,
)


def restore(
    database_url: str,
    path: Path,
    *,
    expected_revision: str,
    on_start: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Load ``path`` into the (migrated, empty) database of ``database_url``; refuses a non-empty one."""
    header = read_header(path)
    if header.get("revision") != expected_revision:
        raise BackupError(
            f"the backup is at schema revision {header.get('revision')}, this version of Worktally at"
            f" {expected_revision}: restore it with the version that wrote it"
        )
    by_name = {table.name: table for table in tables()}
    unknown = set(header["tables"]) - set(by_name)
    if unknown:
        raise BackupError(f"the backup has tables this version does not know: {', '.join(sorted(unknown))}")
    engine = open_engine(database_url, writing=True)
    summary = Summary(revision=expected_revision)
    try:
        with engine.begin() as conn:
            occupied = {t.name: n for t in by_name.values() if (n := count_rows(conn, t))}
            if occupied:
                listed = ", ".join(f"{name} ({rows})" for name, rows in sorted(occupied.items()))
                raise BackupError(f"the target database is not empty: {listed}")
            if on_start is not None:
                on_start(sum(int(n) for n in header["tables"].values()))
            _load(conn, by_name, rows_of(path), summary, progress)
            for name, expected in header["tables"].items():
                if summary.tables.get(name, 0) != expected:
                    raise BackupError(
                        f"the backup is truncated: {name} has {summary.tables.get(name, 0)} rows, its header {expected}"
                    )
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, list(by_name.values()))
    finally:
        engine.dispose()
    return summary


class _Writer:
    """A table's rows straight to the driver (``COPY`` on PostgreSQL, ``executemany`` on SQLite), in the
    connection's transaction, each value through its column's own bind processing."""

    def __init__(self, conn: Connection, table: Table, names: list[str]) -> None:
        dialect = conn.dialect
        self.processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.quote(n) for n in names)
        self.raw: Any = conn.connection.driver_connection
        self.copy = dialect.name == "postgresql"
        if self.copy:
            self.sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608  (our metadata's names)

    def write(self, rows: list[list[Any]]) -> None:
        processors = self.processors
        processed = [tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows]
        if self.copy:
            with self.raw.cursor() as cursor, cursor.copy(self.sql) as copy:
                for row in processed:
                    copy.write_row(row)
        else:
            self.raw.executemany(self.sql, processed)


@dataclass
class _Loading:
    table: Table
    names: list[str]
    decoders: list[Callable[[Any], Any]]
    deferred: list[int]  # positions of self-referencing columns, written after the table's rows
    writer: _Writer
    batch: list[list[Any]] = field(default_factory=list)
    later: list[dict[str, Any]] = field(default_factory=list)


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _load(
    conn: Connection, by_name: dict[str, Table], lines: Iterator[Any], summary: Summary, progress: Progress | None
) -> None:
    current: _Loading | None = None
    for item in lines:
        if isinstance(item, dict):
            if current is not None:
                _finish(conn, current, summary, progress)
            table = by_name[item["table"]]
            names = list(item["columns"])
            missing = {c.name for c in table.columns} - set(names)
            if missing or set(names) - {c.name for c in table.columns}:
                raise BackupError(f"the columns of {table.name} in the backup differ from this version's")
            deferred = [names.index(n) for n in _self_references(table)]
            decoders = [decoder(kind_of(table.columns[n])) for n in names]
            current = _Loading(table, names, decoders, deferred, _Writer(conn, table, names))
            summary.tables[table.name] = 0
            continue
        if current is None:
            raise BackupError("the backup has rows before any table")
        row = [decode(value) for decode, value in zip(current.decoders, item, strict=True)]
        if current.deferred and any(row[i] is not None for i in current.deferred):
            keys = {f"k_{c.name}": row[current.names.index(c.name)] for c in current.table.primary_key}
            current.later.append({**keys, **{current.names[i]: row[i] for i in current.deferred}})
            for i in current.deferred:
                row[i] = None
        current.batch.append(row)
        if len(current.batch) >= BATCH:
            _flush(conn, current, summary, progress)
    if current is not None:
        _finish(conn, current, summary, progress)


def _flush(conn: Connection, loading: _Loading, summary: Summary, progress: Progress | None) -> None:
    if not loading.batch:
        return
    loading.writer.write(loading.batch)
    summary.tables[loading.table.name] += len(loading.batch)
    if progress is not None:
        progress(loading.table.name, len(loading.batch))
    loading.batch = []


def _finish(conn: Connection, loading: _Loading, summary: Summary, progress: Progress | None) -> None:
    _flush(conn, loading, summary, progress)
    if loading.later:
        table = loading.table
        statement = (
            update(table)
            .where(*(c == bindparam(f"k_{c.name}") for c in table.primary_key))
            .values({loading.names[i]: bindparam(loading.names[i]) for i in loading.deferred})
        )
        conn.execute(statement, loading.later)
        loading.later = []


def _reset_sequences(conn: Connection, all_tables: list[Table]) -> None:
    for table in all_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer) or column.autoincrement is False:
                continue
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar_one()
            if sequence is None:
                continue
            highest = func.max(column)
            conn.execute(select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None))))
