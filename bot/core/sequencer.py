"""Strict order per conversation, concurrency across conversations.

python-telegram-bot's ``ConversationHandler`` is only correct when every update is
processed serially. copbot instead runs the jobs of one key (platform, chat, user) one
after another and jobs of different keys concurrently, so one slow request never holds
up anyone else while a user's own messages are still handled in the order sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class KeyedSequencer:
    """Runs jobs in submission order per key, with bounded concurrency and back-pressure.

    Args:
        max_concurrency: how many keys may run a job at the same time.
        max_pending: how many jobs may wait before :meth:`submit` itself waits.
    """

    def __init__(self, max_concurrency: int = 64, max_pending: int = 10_000) -> None:
        self._queues: dict[Hashable, deque[Job]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max_concurrency)
        self._max_pending = max_pending
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._room = asyncio.Event()
        self._room.set()

    @property
    def pending(self) -> int:
        """Jobs submitted and not yet finished."""
        return self._pending

    async def submit(self, key: Hashable, job: Job) -> None:
        """Queue ``job`` behind the earlier jobs of ``key``; waits while the queue is full."""
        while self._pending >= self._max_pending:
            self._room.clear()
            await self._room.wait()
        self._pending += 1
        self._idle.clear()
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        self._queues[key] = deque([job])
        worker = asyncio.create_task(self._work(key), name=f"sequencer:{key}")
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _work(self, key: Hashable) -> None:
        queue = self._queues[key]
        while queue:
            job = queue[0]
            try:
                async with self._slots:
                    await job()
            except Exception:  # a job must not take its key's queue down with it
                log.exception("unhandled error in a job for %s", key)
            finally:
                queue.popleft()
                self._pending -= 1
                if self._pending < self._max_pending:
                    self._room.set()
                if not self._pending:
                    self._idle.set()
        del self._queues[key]

    async def drain(self) -> None:
        """Wait until every submitted job has finished."""
        await self._idle.wait()

    async def close(self) -> None:
        """Cancel every job still waiting or running."""
        workers = list(self._workers)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._queues.clear()
        self._pending = 0
        self._idle.set()
        self._room.set()
