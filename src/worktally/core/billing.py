"""The one billing rule (D1, D6, D14): minutes of time, rates, amounts and their rounding. Pure, no I/O.

Timesheets, every report, the CSV exports, leave and expenses count and price time only through this
module, so that they agree to the minute and to the cent.

Minutes. The contract (D9, D16) says minutes are integers but not how seconds become minutes. The rule
here: **a stored piece of time (an entry, or its part inside one local day) counts its seconds rounded to
the nearest minute, half a minute up; every total is the sum of those whole minutes.** Half-up rather
than flooring, because a tracker stopped at 10 min 40 s worked closer to 11 minutes than to 10, and
flooring loses up to a minute per entry, always in the same direction. Summing whole minutes rather than
rounding a sum of seconds, so that a day, a week and a member's total are sums of the rows shown beside
them, whatever level a view groups at.

Money. Decimals rounded to the cent half-up (``ROUND_HALF_UP``), in the database type, on input and on
output alike; amounts are whole cents per currency and never added across currencies (D1). An amount is
priced per member, day, project and contract: ``amount_cents(minutes, rate_cents)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_UP


def round_money(value: Decimal | int | str | float) -> Decimal:
    """``value`` to two places, half a cent up (D14): the one rounding of money."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUNDING)


def minutes(seconds: int | None) -> int:
    """Whole minutes of one piece of time, half a minute rounding up."""
    return (int(seconds or 0) + 30) // 60


def interval_seconds(start: datetime, end: datetime) -> int:
    """Whole seconds of ``[start, end)``, half a second up (as the reports' SQL measures them)."""
    return (end - start + timedelta(microseconds=500_000)) // timedelta(seconds=1)


def interval_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes of ``[start, end)`` by ``minutes``."""
    return minutes(interval_seconds(start, end))


def rate_cents(rate: Decimal) -> int:
    """An hourly rate in whole cents (rates are stored with two places, D14)."""
    return int(round_money(rate) * 100)


def amount_cents(minutes_: int, rate_cents_: int) -> int:
    """What ``minutes_`` earn at ``rate_cents_`` an hour, in whole cents, half a cent rounding up."""
    return (rate_cents_ * minutes_ * 2 + 60) // 120


def cents_to_money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def money_by_currency(cents: Mapping[str, int]) -> dict[str, Decimal]:
    """Whole cents per currency as exact decimals, currencies in order (D1: never summed across them)."""
    return {currency: cents_to_money(value) for currency, value in sorted(cents.items())}


def add_cents(totals: dict[str, int], amounts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Add ``(currency, cents)`` pairs into ``totals`` per currency; returns ``totals``."""
    for currency, cents in amounts:
        totals[currency] = totals.get(currency, 0) + cents
    return totals


@dataclass(frozen=True, slots=True)
class RateSources:
    contract_id: int | None
    is_billable: bool | None
    rate_type: int | None
    contract_rate: Decimal | None
    contract_currency: str | None
    member_rate: Decimal | None
    member_currency: str | None
    project_rate: Decimal | None
    project_currency: str | None


def effective_rate(row: RateSources) -> tuple[Decimal, str] | None:
    """The hourly rate behind tracked time: the contract's rate type picks custom, member or project rate (D6:
    only billable projects earn money; time without a contract earns none)."""
    if row.contract_id is None or not row.is_billable:
        return None
    match row.rate_type:
        case 2:
            rate, currency = row.member_rate, row.member_currency
        case 3:
            rate, currency = row.project_rate, row.project_currency
        case _:
            rate, currency = row.contract_rate, row.contract_currency
    if rate is None or currency is None:
        return None
    return rate, currency


def effective_rate_cents(row: RateSources) -> tuple[int, str] | None:
    """``effective_rate`` in whole cents, as every amount is priced."""
    rate = effective_rate(row)
    return None if rate is None else (rate_cents(rate[0]), rate[1])
