from __future__ import annotations

import asyncio

import pytest

from bot.core.sequencer import KeyedSequencer


async def test_jobs_of_one_key_run_in_submission_order() -> None:
    sequencer = KeyedSequencer()
    seen: list[int] = []

    def job(n: int):  # type: ignore[no-untyped-def]
        async def run() -> None:
            await asyncio.sleep(0.001 * (5 - n % 5))  # later jobs are quicker
            seen.append(n)

        return run

    for n in range(20):
        await sequencer.submit("alice", job(n))
    await sequencer.drain()
    assert seen == list(range(20))


async def test_a_slow_key_does_not_hold_up_another() -> None:
    sequencer = KeyedSequencer()
    release = asyncio.Event()
    finished: list[str] = []

    async def slow() -> None:
        await release.wait()
        finished.append("slow")

    async def quick() -> None:
        finished.append("quick")

    await sequencer.submit("alice", slow)
    await sequencer.submit("bob", quick)
    await asyncio.wait_for(_until(lambda: "quick" in finished), 1)
    assert finished == ["quick"]
    release.set()
    await sequencer.drain()
    assert finished == ["quick", "slow"]


async def test_a_failing_job_does_not_stop_its_key(caplog: pytest.LogCaptureFixture) -> None:
    sequencer = KeyedSequencer()
    seen: list[str] = []

    async def boom() -> None:
        raise RuntimeError("boom")

    async def after() -> None:
        seen.append("after")

    await sequencer.submit("k", boom)
    await sequencer.submit("k", after)
    await sequencer.drain()
    assert seen == ["after"]
    assert "boom" in caplog.text
    assert sequencer.pending == 0


async def test_submit_waits_when_too_many_jobs_are_pending() -> None:
    sequencer = KeyedSequencer(max_pending=2)
    release = asyncio.Event()

    async def blocked() -> None:
        await release.wait()

    await sequencer.submit("a", blocked)
    await sequencer.submit("b", blocked)
    third = asyncio.ensure_future(sequencer.submit("c", blocked))
    await asyncio.sleep(0.01)
    assert not third.done()
    release.set()
    await asyncio.wait_for(third, 1)
    await sequencer.drain()


async def test_concurrency_is_bounded() -> None:
    sequencer = KeyedSequencer(max_concurrency=3)
    running = 0
    peak = 0

    async def job() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.005)
        running -= 1

    for key in range(10):
        await sequencer.submit(key, job)
    await sequencer.drain()
    assert peak == 3


async def test_close_cancels_what_is_left() -> None:
    sequencer = KeyedSequencer()

    async def forever() -> None:
        await asyncio.Event().wait()

    await sequencer.submit("k", forever)
    await sequencer.close()
    await asyncio.wait_for(sequencer.drain(), 1)


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.001)
