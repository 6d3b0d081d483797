"""Per-user flood limit: a token bucket for each sender."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """What to do with an event after the flood check."""

    ALLOW = "allow"
    WARN = "warn"  # refuse, and tell the user to slow down
    DROP = "drop"  # refuse silently: the user was already told


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodLimiter:
    """Allows ``burst`` events at once and ``rate`` events per second after that.

    A user over the limit is warned once; further events are dropped silently until the
    bucket has refilled, so a flood never turns into a flood of warnings.

    Args:
        rate: tokens added per second.
        burst: the bucket's capacity.
        clock: monotonic seconds (injectable for tests).
        max_tracked: buckets kept before full buckets are forgotten.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self._max_tracked = max_tracked

    def check(self, key: Hashable) -> Verdict:
        """Take a token for ``key`` and say whether its event may proceed."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_tracked:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]
