"""The tracked-hours report from its grouped rows: put in order once, then written out as JSON or CSV.

A month of 500 members is tens of thousands of rows (megabytes of JSON), so the report is never built as
models or nested dicts: the rows are sorted once by a single integer (day, then member by name, then project
by name, through ranks over the few distinct members and projects), filtered and priced in one pass
(``items``), and the JSON document is written as text from pieces that repeat (a project's opening, a member's
name), each encoded once. The shape is ``schemas.TrackedHoursReport``; the tests hold the two to each other.

Amounts (D6, D14) are whole cents per row (rate cents x minutes / 60, half a cent up), summed exactly, and
shown only where the caller may see the member's rates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic_core import to_json

from worktally.report import rules
from worktally.report.export import cell
from worktally.report.params import DateRange

Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Lookups:
    names: dict[int, str]  # member → full name
    projects: dict[int, str]  # project → name
    rates: dict[int, tuple[int, str] | None]  # contract → its effective rate, in cents per hour


@dataclass(frozen=True, slots=True)
class TrackedHours:
    """What the service found: ``tracked_hours_statement`` rows, their names and rates, and who may see what."""

    period: DateRange
    rows: Sequence[Row]  # (day, user_id, project_id, contract_id, seconds), in no order
    lookups: Lookups
    visible: dict[int, bool]  # member → whether the caller sees their rates (D6)
    sees_own_rates: bool
    currencies: Sequence[str] | None


@dataclass(frozen=True, slots=True)
class _Pair:
    """A project and contract of the rows: its place in a member's list, names, rate and JSON opening."""

    rank: int
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    rate: tuple[int, str] | None
    opening: str  # '{"project_id":…,"project_name":…,"contract_id":…,"total_minutes":'


def _ordered(report: TrackedHours) -> tuple[list[Row], dict[tuple[Any, Any], _Pair]]:
    names, lookups, rows = report.lookups.names, report.lookups, report.rows
    members = sorted({row[1] for row in rows}, key=lambda u: (names.get(u, ""), u))
    named = [
        (lookups.projects.get(project_id) if project_id is not None else None, project_id, contract_id)
        for project_id, contract_id in {(row[2], row[3]) for row in rows}
    ]
    named.sort(key=lambda p: (p[0] or "", p[1] or 0, p[2] or 0))
    pairs = {
        (project_id, contract_id): _Pair(
            rank,
            project_id,
            name,
            contract_id,
            lookups.rates.get(contract_id) if contract_id is not None else None,
            f'{{"project_id":{_number(project_id)},"project_name":{_text(name)},'
            f'"contract_id":{_number(contract_id)},"total_minutes":',
        )
        for rank, (name, project_id, contract_id) in enumerate(named)
    }
    # One integer per row: the day, then the member's rank, then the pair's (ranks fit in 21 bits each).
    day_key = {day: day.toordinal() << 42 for day in {row[0] for row in rows}}
    user_key = {user_id: rank << 21 for rank, user_id in enumerate(members)}
    ordered = sorted(rows, key=lambda r: day_key[r[0]] | user_key[r[1]] | pairs[r[2], r[3]].rank)
    return ordered, pairs


def items(report: TrackedHours) -> Iterator[tuple[date, int, _Pair, int, bool, str | None, int]]:
    """``(day, user_id, pair, minutes, visible, currency, cents)`` in the report's order, after the currency
    filter; ``currency`` is None when there is no rate (or it is not visible), ``cents`` is then 0."""
    ordered, pairs = _ordered(report)
    visible_of, currencies = report.visible, report.currencies
    for day, user_id, project_id, contract_id, seconds in ordered:
        minutes = (seconds + 30) // 60
        if minutes == 0:
            continue
        pair = pairs[project_id, contract_id]
        visible = visible_of[user_id]
        rate = pair.rate if visible else None
        if rate is None:
            if visible and currencies is not None:
                continue
            yield day, user_id, pair, minutes, visible, None, 0
        else:
            if currencies is not None and rate[1] not in currencies:
                continue
            yield day, user_id, pair, minutes, True, rate[1], rules.amount_cents(minutes, rate[0])


def _cents(cents: int) -> str:
    """``rules.cents_str``, with the common case (not negative) inline: it runs for every row."""
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else rules.cents_str(cents)


def _amounts(cents: dict[str, int]) -> str:
    if len(cents) == 1:
        ((currency, value),) = cents.items()
        return f'{{"{currency}":"{_cents(value)}"}}'
    return "{" + ",".join(f'"{c}":"{_cents(v)}"' for c, v in sorted(cents.items())) + "}"


def _text(value: str | None) -> str:
    return to_json(value).decode()


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


def json_data(report: TrackedHours) -> str:
    """The report as the JSON text of ``TrackedHoursReport`` (the envelope's ``data``)."""
    names = report.lookups.names
    heads: dict[int, str] = {}  # member → '{"user_id":…,"user_name":…,"total_minutes":'
    days: dict[date, list[str]] = {}
    day_minutes: dict[date, int] = {}
    total_cents: dict[str, int] = {}
    total_minutes = 0
    all_visible = True

    user_id = -1
    day = date.min
    user_minutes = 0
    user_visible = True
    user_cents: dict[str, int] = {}
    projects: list[str] = []

    def close_user() -> None:
        head = heads.get(user_id)
        if head is None:
            head = heads[user_id] = (
                f'{{"user_id":{user_id},"user_name":{_text(names.get(user_id, ""))},"total_minutes":'
            )
        amount = _amounts(user_cents) if user_visible else "null"
        days[day].append(f'{head}{user_minutes},"total_amount":{amount},"projects":[{",".join(projects)}]}}')
        day_minutes[day] += user_minutes

    for item_day, item_user, pair, minutes, visible, currency, cents in items(report):
        if item_user != user_id or item_day != day:
            if projects:
                close_user()
            day, user_id, user_minutes, user_visible, user_cents, projects = item_day, item_user, 0, visible, {}, []
            if day not in days:
                days[day] = []
                day_minutes[day] = 0
        if currency is not None:
            projects.append(f'{pair.opening}{minutes},"total_amount":{{"{currency}":"{_cents(cents)}"}}}}')
            user_cents[currency] = user_cents.get(currency, 0) + cents
            total_cents[currency] = total_cents.get(currency, 0) + cents
        elif visible:
            projects.append(f'{pair.opening}{minutes},"total_amount":{{}}}}')
        else:
            projects.append(f'{pair.opening}{minutes},"total_amount":null}}')
            all_visible = False
        user_minutes += minutes
        total_minutes += minutes
    if projects:
        close_user()

    period = report.period
    day_texts = []
    day = period.start_date
    while day <= period.end_date:
        day_texts.append(
            f'"{day.isoformat()}":{{"total_minutes":{day_minutes.get(day, 0)},"users":[{",".join(days.get(day, ()))}]}}'
        )
        day += timedelta(days=1)
    show_total = all_visible and (bool(report.rows) or report.sees_own_rates)
    total_amount = _amounts(total_cents) if show_total else "null"
    return (
        f'{{"report_type":"tracked_hours","start_date":"{period.start_date.isoformat()}",'
        f'"end_date":"{period.end_date.isoformat()}",'
        f'"total":{{"total_minutes":{total_minutes},"total_amount":{total_amount}}},'
        f'"days":{{{",".join(day_texts)}}}}}'
    )


def csv_rows(report: TrackedHours) -> Iterator[Row]:
    """One CSV row per project line of the JSON report (``export.TRACKED_HOURS_COLUMNS``), as cells."""
    names = {user_id: cell(name) for user_id, name in report.lookups.names.items()}
    for day, user_id, pair, minutes, _visible, currency, cents in items(report):
        yield (
            day.isoformat(),
            user_id,
            names.get(user_id, ""),
            cell(pair.project_id),
            cell(pair.project_name),
            cell(pair.contract_id),
            minutes,
            "" if currency is None else currency,
            "" if currency is None else cell(_cents(cents)),
        )
