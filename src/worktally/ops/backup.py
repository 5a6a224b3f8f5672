"""``worktally backup FILE`` / ``worktally restore FILE`` (D20): every table in one portable file.

The file is gzip'd JSON lines:

- a header ``{"format": "worktally-backup", "version": 1, "revision": ..., "dialect": ..., "created_at": ...,
  "tables": {name: rows, ...}}`` naming the schema revision it was written at and each table's row count;
- per table, in foreign-key order, ``{"table": name, "columns": [...]}`` and then one JSON array per row.

Values are written by column type, never by dialect (datetimes as ISO 8601 UTC, dates ISO, decimals as strings,
JSON as JSON), so a file written from SQLite restores into PostgreSQL and back with every row equal.

The backup reads every table in one read-only transaction (REPEATABLE READ on PostgreSQL; on SQLite one read
transaction, which WAL keeps on its snapshot), so a server that goes on writing meanwhile yields a consistent
file. The restore migrates the target to head, refuses unless every table is empty and the file's revision is
the code's, inserts in foreign-key order in one transaction (a self-reference, such as a task's parent, is set
once every row of its table is in) and moves PostgreSQL's sequences past the restored ids.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator, TypeEngine

from worktally.core.clock import utc_now
from worktally.db.base import Base
from worktally.db.session import sync_url

FORMAT = "worktally-backup"
VERSION = 1
BATCH = 2000
COMPRESS_LEVEL = 1  # most of gzip's gain for a fraction of level 6's time on rows like these

Progress = Callable[[str, int], None]  # (table, rows just done)


class BackupError(Exception):
    """The restore refused or the file is not a backup; the message says why."""


def tables() -> list[Table]:
    import worktally.db.models  # noqa: F401  (registers every table on the metadata)

    return list(Base.metadata.sorted_tables)


# Values ------------------------------------------------------------------------------------------------------


def _kind(column: Column[Any]) -> str:
    kind: TypeEngine[Any] = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl if isinstance(kind.impl, TypeEngine) else kind.impl()
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Numeric) and not isinstance(kind, Integer):
        return "decimal"
    if isinstance(kind, LargeBinary):
        return "bytes"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "bool"
    return "plain"


def _encoder(kind: str) -> Callable[[Any], Any]:
    if kind == "datetime":
        return lambda v: None if v is None else v.astimezone(UTC).isoformat()
    if kind == "date":
        return lambda v: None if v is None else v.isoformat()
    if kind == "decimal":
        return lambda v: None if v is None else str(v)
    if kind == "bytes":
        return lambda v: None if v is None else base64.b64encode(v).decode()
    return lambda v: v


def _decoder(kind: str) -> Callable[[Any], Any]:
    if kind == "datetime":
        return lambda v: None if v is None else datetime.fromisoformat(v).astimezone(UTC)
    if kind == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind == "decimal":
        return lambda v: None if v is None else Decimal(v)
    if kind == "bytes":
        return lambda v: None if v is None else base64.b64decode(v)
    if kind == "bool":
        return lambda v: None if v is None else bool(v)
    return lambda v: v


# Engines -----------------------------------------------------------------------------------------------------


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's deferred one
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_engine(database_url: str, *, writing: bool) -> Engine:
    url = sync_url(database_url)
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        begin = "BEGIN IMMEDIATE" if writing else "BEGIN"
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _revision(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    revisions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(revisions) or None


# Backup ------------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


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
                summary = Summary(revision=_revision(conn))
                if summary.revision is None:
                    raise BackupError("the database has never been migrated: there is nothing to back up")
                for table in tables():
                    summary.tables[table.name] = _count(conn, table)
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
    encoders = [_encoder(_kind(c)) for c in columns]
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


# Restore -----------------------------------------------------------------------------------------------------


def read_header(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            header = json.loads(source.readline())
    except (OSError, ValueError, EOFError) as error:
        raise BackupError(f"{path} is not a Worktally backup ({error})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Worktally backup")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {header.get('version')}; this one reads {VERSION}")
    return header


def _lines(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        source.readline()
        for line in source:
            yield json.loads(line)


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
            occupied = {t.name: n for t in by_name.values() if (n := _count(conn, t))}
            if occupied:
                listed = ", ".join(f"{name} ({rows})" for name, rows in sorted(occupied.items()))
                raise BackupError(f"the target database is not empty: {listed}")
            if on_start is not None:
                on_start(sum(int(n) for n in header["tables"].values()))
            _load(conn, by_name, _lines(path), summary, progress)
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
            decoders = [_decoder(_kind(table.columns[n])) for n in names]
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
    from sqlalchemy import bindparam

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


# Comparing (the round-trip tests, and a check an operator may run) ---------------------------------------------


def dump_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order, as written to a backup: what "every row equal" compares."""
    engine = open_engine(database_url, writing=False)
    try:
        with engine.connect() as conn, conn.begin():
            dumped: dict[str, list[tuple[Any, ...]]] = {}
            for table in tables():
                encoders = [_encoder(_kind(c)) for c in table.columns]
                keys = [i for i, c in enumerate(table.columns) if c.primary_key]
                rows = [
                    tuple(enc(v) for enc, v in zip(encoders, row, strict=True)) for row in conn.execute(select(table))
                ]
                # Sorted here, not by the database: PostgreSQL's collation and SQLite's byte order differ.
                dumped[table.name] = sorted(rows, key=lambda r: json.dumps([r[i] for i in keys]))
            return dumped
    finally:
        engine.dispose()
