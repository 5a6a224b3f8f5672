"""A Worktally backup file (D20) and what reads and writes one: its format, each value by its column's type,
and the engines the backup and the restore use.

The file is gzip'd JSON lines:

- a header ``{"format": "worktally-backup", "version": 1, "revision": ..., "dialect": ..., "created_at": ...,
  "tables": {name: rows, ...}}`` naming the schema revision it was written at and each table's row count;
- per table, in foreign-key order, ``{"table": name, "columns": [...]}`` and then one JSON array per row.

Values are written by column type, never by dialect (datetimes as ISO 8601 UTC, dates ISO, decimals as strings,
JSON as JSON), so a file written from SQLite restores into PostgreSQL and back with every row equal.
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
from typing import Any

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
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator, TypeEngine

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


def kind_of(column: Column[Any]) -> str:
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


def encoder(kind: str) -> Callable[[Any], Any]:
    if kind == "datetime":
        return lambda v: None if v is None else v.astimezone(UTC).isoformat()
    if kind == "date":
        return lambda v: None if v is None else v.isoformat()
    if kind == "decimal":
        return lambda v: None if v is None else str(v)
    if kind == "bytes":
        return lambda v: None if v is None else base64.b64encode(v).decode()
    return lambda v: v


def decoder(kind: str) -> Callable[[Any], Any]:
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


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def revision_of(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    revisions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(revisions) or None


@dataclass
class Summary:
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


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


def rows_of(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        source.readline()
        for line in source:
            yield json.loads(line)
