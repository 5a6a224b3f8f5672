"""The operator commands of D20 (``backup``, ``restore``) and what ``serve`` checks before it starts.

Like every command (D7) each prints one JSON object on stdout; the progress bar and logs go to stderr.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from worktally.config import Settings
from worktally.core.logs import configure_logging
from worktally.ops import backup as backups
from worktally.ops import budget, metrics
from worktally.ops import restore as restores
from worktally.ops.backup_file import BackupError, Summary, read_header


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def _fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def before_serve(settings: Settings, workers: int) -> None:
    """Refuse ``workers`` processes PostgreSQL could not serve; give several workers one metrics directory."""
    checked = budget.compute(settings.database_url, workers=workers, pool_size=settings.db_pool_size)
    if checked is not None and not checked.fits:
        _fail(
            f"not starting: {checked.explain()}. Lower --workers or WORKTALLY_DB_POOL_SIZE, or raise PostgreSQL's"
            f" max_connections (the formula is in the README's Operations section)",
            2,
        )
    if workers > 1:
        existing = metrics.multiprocess_dir()
        if existing is None:
            made = Path(tempfile.mkdtemp(prefix="worktally-metrics-"))
            os.environ[metrics.MULTIPROC_ENV] = str(made)
            atexit.register(shutil.rmtree, made, True)
        else:
            metrics.prepare_multiprocess_dir(existing)


@contextmanager
def _progress(what: str) -> Iterator[tuple[Any, Any]]:
    console = Console(stderr=True)
    with Progress(
        TextColumn(f"{what} [bold]{{task.fields[table]}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(what, total=None, table="")

        def on_start(total: int) -> None:
            bar.update(task, total=total)

        def on_rows(table: str, rows: int) -> None:
            bar.update(task, advance=rows, table=table)

        yield on_start, on_rows


def _done(file: Path, summary: Summary, started: float) -> dict[str, Any]:
    """The JSON line a backup or a restore ends with."""
    return {
        "file": str(file),
        "revision": summary.revision,
        "rows": summary.rows,
        "tables": summary.tables,
        "seconds": round(time.perf_counter() - started, 2),
    }


def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (gzip'd JSON lines).", dir_okay=False)],
) -> None:
    """Write every table to FILE from one consistent snapshot; safe while the server runs (D20)."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    started = time.perf_counter()
    try:
        with _progress("backup") as (on_start, on_rows):
            summary = backups.backup(settings.database_url, file, on_start=on_start, progress=on_rows)
    except BackupError as error:
        _fail(str(error))
    _emit({**_done(file, summary, started), "bytes": file.stat().st_size})


def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `worktally backup`.", exists=True, dir_okay=False)],
) -> None:
    """Load FILE into an empty database (SQLite or PostgreSQL), migrating it first; refuses a non-empty one."""
    from worktally.db.migrate import upgrade
    from worktally.ops.health import head_revisions

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    started = time.perf_counter()
    try:
        read_header(file)
        upgrade(settings.database_url)
        with _progress("restore") as (on_start, on_rows):
            summary = restores.restore(
                settings.database_url,
                file,
                expected_revision=",".join(sorted(head_revisions())),
                on_start=on_start,
                progress=on_rows,
            )
    except BackupError as error:
        _fail(str(error))
    _emit(_done(file, summary, started))


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
