"""D14: money is Decimal with two places, never a binary float."""

from __future__ import annotations

from decimal import Decimal

from worktally.core.billing import CENT, round_money

__all__ = ["CENT", "cents_number", "money_number", "to_money"]

# The one rounding of money lives in core/billing.py.
to_money = round_money


def money_number(value: Decimal | int) -> int | float:
    """D1: money as a JSON number with at most two decimals, the Decimal's own digits (half a cent up).

    An integer when there are no cents, else the float whose shortest form is exactly those digits: a float
    holds 15 significant digits exactly, and money columns have 14 (D14), so nothing is lost on the way.
    """
    cents = to_money(value)
    return int(cents) if cents == cents.to_integral_value() else float(cents)


# ".01" … ".99" as a JSON number's tail: no trailing zero, nothing for whole amounts.
_CENTS_TAIL = tuple("" if n == 0 else f".{n // 10}" if n % 10 == 0 else f".{n:02d}" for n in range(100))


def cents_number(cents: int) -> str:
    """Whole cents as the JSON number text ``money_number`` writes (``1250`` → ``12.5``, ``1200`` → ``12``);
    CSV cells use the same digits (D1). Reports write their JSON as text, so this runs for every row."""
    if cents < 0:
        return f"-{cents_number(-cents)}"
    whole, hundredths = divmod(cents, 100)
    return f"{whole}{_CENTS_TAIL[hundredths]}"
