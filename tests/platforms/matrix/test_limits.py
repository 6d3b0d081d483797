"""LimitGate: after M_LIMIT_EXCEEDED, sends queue at the pace the server asked for."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.core.errors import RateLimited
from bot.platforms.matrix.limits import LimitGate


async def test_after_a_refusal_sends_go_one_at_a_time_spaced_by_the_wait() -> None:
    gate = LimitGate()
    sent: list[float] = []
    refuse = [True]

    async def send() -> str:
        if refuse.pop() if refuse else False:
            raise RateLimited(0.1)
        sent.append(time.monotonic())
        return "ok"

    assert await gate.run(lambda: asyncio.sleep(0, "free")) == "free"  # no limit yet: straight through
    with pytest.raises(RateLimited):
        await gate.run(send)
    assert gate.limiting
    started = time.monotonic()
    assert await asyncio.gather(*(gate.run(send) for _ in range(3))) == ["ok", "ok", "ok"]
    assert sent[0] - started >= 0.09  # waited as the server asked
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert all(gap >= 0.09 for gap in gaps), gaps
    assert gate.refusals == 1
