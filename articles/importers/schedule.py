"""Each source's own schedule: when its next import is due after this one's outcome.

A source that publishes often is read often (every 2 minutes at most), a quiet one every hour at
least; an unchanged feed keeps its rhythm; a failing one waits twice as long after each failure
in a row, with jitter so that sources that failed together do not retry together, up to six
hours, and is never given up. A server's Retry-After (429, 503) is obeyed.
"""

from __future__ import annotations

import random
import statistics
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

MIN_INTERVAL = 120  # seconds: the busiest source is read every 2 minutes
MAX_INTERVAL = 3600  # the quietest at least hourly
BACKOFF_CAP = 6 * 3600  # a failing source is still tried every 6 hours
RETRY_AFTER_CAP = 24 * 3600  # a server asking for more than a day gets a day
RETRY_AFTER_STATUSES = {429, 503}
FETCH_TIMES_KEPT = 20  # fetch durations kept per source for the median


def publishing_interval(times: list[datetime], now: datetime | None = None) -> int:
    """Return the seconds between imports that suit entries published at `times`.

    Half the median gap between the newest entries: a source that publishes every 10 minutes
    is read every 5, so a new entry waits about a quarter of its gap on average. A source that
    has gone quiet (its newest entry older than that rhythm says) is read less often: half the
    time since its newest entry counts as a gap too, so a night's lull stretches the interval
    and the morning's first entries shorten it again.
    """
    newest = sorted(times, reverse=True)[:11]
    gaps = [(a - b).total_seconds() for a, b in zip(newest, newest[1:], strict=False)]
    gaps = [gap for gap in gaps if gap > 0]
    if not gaps:
        return MAX_INTERVAL
    gap = statistics.median(gaps)
    if now is not None:
        gap = max(gap, (now - newest[0]).total_seconds() / 2)
    return int(min(MAX_INTERVAL, max(MIN_INTERVAL, gap / 2)))


def backoff(interval: int, failures: int, rng: random.Random | None = None) -> float:
    """Return the wait after `failures` failures in a row: doubling, jittered, capped."""
    ceiling = min(BACKOFF_CAP, max(interval, MIN_INTERVAL) * 2 ** min(failures, 20))
    # "Equal jitter": at least half the ceiling, so a failing source never comes back at once.
    return (rng or random).uniform(ceiling / 2, ceiling)


def retry_after(headers: dict[str, str], now: datetime) -> float | None:
    """Return the seconds a Retry-After header asks for (a number or an HTTP date), or None."""
    value = (headers or {}).get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError, OverflowError):
            return None
    return min(RETRY_AFTER_CAP, max(0.0, seconds))


def next_attempt(
    *,
    now: datetime,
    interval: int,
    failures: int,
    succeeded: bool,
    wait: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """Return when to import next: after the interval, a backoff, or what the server asked."""
    if succeeded:
        return now + timedelta(seconds=interval)
    delay = backoff(interval, failures, rng)
    if wait is not None:
        delay = max(wait, 1.0)
    return now + timedelta(seconds=delay)


def with_duration(durations: list[int], milliseconds: int) -> list[int]:
    """Return the recent fetch durations with a new one added, the oldest dropped."""
    return [*(durations or []), milliseconds][-FETCH_TIMES_KEPT:]


def median_duration(durations: list[int]) -> float | None:
    return statistics.median(durations) if durations else None
