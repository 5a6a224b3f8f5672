"""Retry timing (D11): the first attempt is immediate; after the n-th failed attempt the next one waits
``schedule[n-1]`` seconds, ±20 % jitter so that a recovering target is not hit by everyone at once.

Default: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h — 11 attempts spread over about
47 h 43 min (±20 %); a delivery whose last attempt fails is marked ``failed`` (it can be retried by hand).
"""

from __future__ import annotations

import math
import random

DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400)
JITTER = 0.2


def next_delay(schedule: tuple[float, ...], failed_attempts: int, *, rng: random.Random | None = None) -> float | None:
    """Seconds to wait after ``failed_attempts`` (≥ 1) consecutive failures; ``None`` once the schedule is used up."""
    if failed_attempts < 1 or failed_attempts > len(schedule):
        return None
    base = schedule[failed_attempts - 1]
    return base * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def parse_schedule(text: str) -> tuple[float, ...]:
    """``"5,30,120"`` → ``(5.0, 30.0, 120.0)``; every delay must be finite and ≥ 0."""
    delays = tuple(float(part) for part in text.split(",") if part.strip())
    if any(not math.isfinite(d) or d < 0 for d in delays):
        raise ValueError("retry delays must be finite numbers >= 0")
    return delays
