"""The homeserver's pace: the one the adapter declares, and the one it learns from refusals.

The outbox paces every platform to its adapter's
:attr:`~bot.core.platform.Platform.rate_limits`; for Matrix that is :data:`MATRIX_LIMITS`.
A homeserver's message limit is its own (Synapse: ``rc_message``, 0.2/s with a burst of
10 by default) and only shows when exceeded. The outbox already waits as a 429 asks;
but every row it then retries goes at once, one gets through and the others are
refused again. :class:`LimitGate` turns that herd into a queue: after a refusal, sends
go one at a time, spaced by the wait the server last asked for, until it has not
refused anything for :data:`CALM` seconds. It does no I/O of its own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.core.errors import RateLimited
from bot.core.pacing import RateLimits

T = TypeVar("T")
#: Synapse limits messages per user (``rc_message``, 0.2/s with a burst of 10 by
#: default) and says how long to wait with ``M_LIMIT_EXCEEDED``; the outbox honours
#: that. A homeserver's limits are its own, so we only keep under what one Synapse
#: serves (13-28 messages/s measured here); give the bot account a rate-limit override
#: on your homeserver (Synapse admin API ``override_ratelimit``) for broadcasts.
MATRIX_LIMITS = RateLimits(per_second=10.0)
#: Seconds without a refusal after which sends go straight through again.
CALM = 60.0


class LimitGate:
    """Serialises and spaces sends while the homeserver is rate limiting the bot."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.refusals = 0
        self._lock = asyncio.Lock()
        self._last_refusal = -CALM
        self._interval = 0.0
        self._next = 0.0

    @property
    def limiting(self) -> bool:
        return self.clock() - self._last_refusal < CALM

    async def run(self, send: Callable[[], Awaitable[T]]) -> T:
        """Run ``send``; it raises :class:`RateLimited` when refused."""
        if not self.limiting:
            return await self._attempt(send)
        async with self._lock:
            await asyncio.sleep(max(0.0, self._next - self.clock()))
            try:
                return await self._attempt(send)
            finally:
                self._next = max(self._next, self.clock() + self._interval)

    async def _attempt(self, send: Callable[[], Awaitable[T]]) -> T:
        try:
            return await send()
        except RateLimited as limited:
            now = self.clock()
            self.refusals += 1
            self._last_refusal = now
            self._interval = limited.retry_after
            self._next = now + limited.retry_after
            raise
