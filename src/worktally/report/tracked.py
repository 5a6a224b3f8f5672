"""The tracked-hours report from its grouped rows: put in order once, then written out as JSON or CSV.

A month of 500 members is tens of thousands of rows (megabytes of JSON), so the report is never built as
models or nested dicts: the rows are sorted once by a single integer (day, then member by name, then project
by name, through ranks over the few distinct members and projects), filtered and priced in one pass
(``items``), and the JSON document is written as text from pieces that repeat (a project's opening, a member's
name), each encoded once. The shape is ``schemas.TrackedHoursReport``; the tests hold the two to each other.

Amounts (D1, D6, D14) are whole cents per row (rate cents x minutes / 60, half a cent up), summed exactly per
currency, written as JSON numbers (CSV cells with the same digits), and shown only where the caller may see
the member's rates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic_core import to_json

from worktally.core import billing
from worktally.core.money import cents_number
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
    filtered_out: bool  # for a member whose rates the caller sees: not in the ``currencies`` asked for


def columns(rows: Sequence[Row]) -> tuple[Sequence[Any], ...]:
    """The five columns of ``TrackedHours.rows``, transposed in C: tens of thousands of rows, each read once."""
    return tuple(zip(*rows, strict=True)) if rows else ((),) * 5


def _ordered(report: TrackedHours) -> tuple[list[Row], dict[tuple[Any, Any], _Pair]]:
    names, lookups, rows, currencies = report.lookups.names, report.lookups, report.rows, report.currencies
    days, user_ids, project_ids, contract_ids, _ = columns(rows)
    row_pairs = list(zip(project_ids, contract_ids, strict=True))
    members = sorted(set(user_ids), key=lambda u: (names.get(u, ""), u))
    named = [
        (lookups.projects.get(project_id) if project_id is not None else None, project_id, contract_id)
        for project_id, contract_id in set(row_pairs)
    ]
    named.sort(key=lambda p: (p[0] or "", p[1] or 0, p[2] or 0))
    pairs: dict[tuple[Any, Any], _Pair] = {}
    for rank, (name, project_id, contract_id) in enumerate(named):
        rate = lookups.rates.get(contract_id) if contract_id is not None else None
        pairs[project_id, contract_id] = _Pair(
            rank,
            project_id,
            name,
            contract_id,
            rate,
            f'{{"project_id":{_number(project_id)},"project_name":{_text(name)},'
            f'"contract_id":{_number(contract_id)},"total_minutes":',
            currencies is not None and (rate is None or rate[1] not in currencies),
        )
    # One integer per row to sort by: the day's, member's and pair's ranks, then the row's index (mixed radix,
    # small enough to stay a machine-sized int). Sorting plain integers is several times faster than with a key.
    count = len(rows)
    pair_scale = count
    user_scale = pair_scale * len(pairs)
    day_scale = user_scale * len(members)
    day_key = {day: rank * day_scale for rank, day in enumerate(sorted(set(days)))}
    user_key = {user_id: rank * user_scale for rank, user_id in enumerate(members)}
    pair_key = {key: pair.rank * pair_scale for key, pair in pairs.items()}
    keys = [
        day_key[day] + user_key[user_id] + pair_key[pair] + i
        for i, (day, user_id, pair) in enumerate(zip(days, user_ids, row_pairs, strict=True))
    ]
    keys.sort()
    return [rows[key % count] for key in keys], pairs


def items(report: TrackedHours) -> Iterator[tuple[date, int, _Pair, int, bool, str | None, int]]:
    """``(day, user_id, pair, minutes, visible, currency, cents)`` in the report's order, after the currency
    filter; ``currency`` is None when there is no rate (or it is not visible), ``cents`` is then 0."""
    ordered, pairs = _ordered(report)
    visible_of = report.visible
    for day, user_id, project_id, contract_id, seconds in ordered:
        minutes = billing.minutes(seconds)
        if minutes == 0:
            continue
        pair = pairs[project_id, contract_id]
        if not visible_of[user_id]:
            yield day, user_id, pair, minutes, False, None, 0
        elif pair.filtered_out:
            continue
        elif (rate := pair.rate) is None:
            yield day, user_id, pair, minutes, True, None, 0
        else:
            yield day, user_id, pair, minutes, True, rate[1], billing.amount_cents(minutes, rate[0])


def _amounts(cents: dict[str, int]) -> str:
    if len(cents) == 1:
        for currency, value in cents.items():
            return f'{{"{currency}":{cents_number(value)}}}'
    return "{" + ",".join(f'"{c}":{cents_number(v)}' for c, v in sorted(cents.items())) + "}"


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
    users: list[str] = []

    def close_user() -> None:
        head = heads.get(user_id)
        if head is None:
            head = heads[user_id] = (
                f'{{"user_id":{user_id},"user_name":{_text(names.get(user_id, ""))},"total_minutes":'
            )
        amount = _amounts(user_cents) if user_visible else "null"
        for currency, cents in user_cents.items():
            total_cents[currency] = total_cents.get(currency, 0) + cents
        users.append(f'{head}{user_minutes},"total_amount":{amount},"projects":[{",".join(projects)}]}}')
        day_minutes[day] += user_minutes

    for item_day, item_user, pair, minutes, visible, currency, cents in items(report):
        if item_user != user_id or item_day != day:
            if projects:
                close_user()
            if item_day != day:
                users = days[item_day] = []
                day_minutes[item_day] = 0
            day, user_id, user_minutes, user_visible, user_cents, projects = item_day, item_user, 0, visible, {}, []
        if currency is not None:
            projects.append(f'{pair.opening}{minutes},"total_amount":{{"{currency}":{cents_number(cents)}}}}}')
            user_cents[currency] = user_cents.get(currency, 0) + cents
        elif visible:
            projects.append(f'{pair.opening}{minutes},"total_amount":{{}}}}')
        else:
            projects.append(f'{pair.opening}{minutes},"total_amount":null}}')
            all_visible = False
        user_minutes += minutes
    if projects:
        close_user()
    for minutes in day_minutes.values():
        total_minutes += minutes

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
            "" if currency is None else cents_number(cents),
        )
