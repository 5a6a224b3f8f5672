"""Every command prints rows: a table (Rich), or ``--json`` / ``--csv`` for scripts."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def fmt(as_json: bool, as_csv: bool) -> Format:
    return Format.json if as_json else Format.csv if as_csv else Format.table


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], form: Format, *, title: str | None = None) -> None:
    if form is Format.json:
        sys.stdout.write(json.dumps(list(rows), indent=2, default=str) + "\n")
        return
    if form is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    Console().print(table)


def emit_one(row: dict[str, Any], form: Format) -> None:
    if form is Format.json:
        sys.stdout.write(json.dumps(row, indent=2, default=str) + "\n")
    elif form is Format.csv:
        emit([row], list(row), form)
    else:
        console = Console()
        for key, value in row.items():
            console.print(f"[bold]{key.replace('_', ' ')}[/bold]: {'' if value is None else value}")


def hours(minutes: int | float | None) -> str:
    minutes = int(minutes or 0)
    return f"{minutes // 60}:{minutes % 60:02d}"
