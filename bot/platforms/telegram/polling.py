"""Long polling that confirms an update only once it is handled.

python-telegram-bot's ``Updater`` confirms updates as soon as it fetches them, so a
crash loses what was fetched and not yet handled. The :class:`Poller` instead asks
``getUpdates`` from the :class:`~bot.platforms.telegram.updates.UpdateLedger`'s offset,
which never passes an update still in flight: whatever was not handled comes back after
a restart. It needs only the Bot API and a callback, not the adapter.

Updates are fetched through python-telegram-bot's request layer (its HTTP pool, timeouts
and error mapping) but kept as JSON: the updates still in flight come back with every
poll, and decoding each into PTB objects again cost more than handling it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter

from bot.core.platform import Handled
from bot.platforms.telegram.errors import retry_seconds
from bot.platforms.telegram.updates import ALLOWED_UPDATES, Json, UpdateHandler, UpdateLedger

log = logging.getLogger(__name__)

#: Seconds a ``getUpdates`` long poll waits for an update.
POLL_TIMEOUT = 25


class Poller:
    """Fetches updates and hands each new one to ``handle``, until ``stopping()``.

    Args:
        bot: the Bot API.
        ledger: which updates are in flight, and the offset to confirm.
        handle: hands one update to the bot (raises when the bot refuses it).
        stopping: whether the adapter is stopping (the rest of a batch then comes again).
        timeout: seconds each long poll waits.
    """

    def __init__(
        self,
        bot: Bot,
        ledger: UpdateLedger,
        handle: UpdateHandler,
        stopping: Callable[[], bool],
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.ledger = ledger
        self.handle = handle
        self.stopping = stopping
        self.timeout = timeout
        self._progress = asyncio.Event()

    async def run(self) -> None:
        """Long-poll ``getUpdates``, confirming only updates that were handled."""
        while not self.stopping():
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                raise
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error))
                continue
            except Exception as error:
                log.warning("telegram: getUpdates failed (%s); retrying in 1 s", error)
                await asyncio.sleep(1.0)
                continue
            self._progress.clear()
            in_flight = self.ledger.in_flight
            for update in updates:
                if self.stopping():  # the rest comes again at the next start
                    break
                if update["update_id"] in in_flight:  # sent again: not decoded into an event again
                    continue
                try:
                    await self.receive(update)
                except Exception:  # the bot refused it (stopping): it comes again
                    log.exception("telegram: update %d was not accepted", update["update_id"])
                    self.ledger.forget(update["update_id"])
            if in_flight:
                # While updates are in flight, Telegram answers at once with them again:
                # asking again before one of them finishes would fetch and decode the same
                # batch for nothing (the offset cannot move before that). New updates wait
                # for that at most a second, as they did when only repeats had come.
                with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                    async with asyncio.timeout(1.0):
                        await self._progress.wait()

    async def receive(self, update: Json) -> Handled | None:
        """Hand one polled update to the bot, unless it is already in flight or handled.

        Returns:
            An awaitable resolving once the update is handled, or ``None`` for a repeat.
        """
        update_id: int = update["update_id"]
        if not self.ledger.accept(update_id):
            return None
        handled = asyncio.ensure_future(await self.handle(update))
        handled.add_done_callback(lambda future: self._done(update_id, future))
        return handled

    async def _get_updates(self) -> list[Json]:
        offset = self.ledger.offset
        self.ledger.asked(offset)  # Telegram drops what is below it once asked
        arguments: dict[str, Any] = {
            "offset": offset,
            "timeout": self.timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        # Bot._post: PTB's request layer and error mapping, without decoding the result.
        raw = await self.bot._post("getUpdates", arguments, read_timeout=self.timeout + 10)
        return [update for update in raw if _readable(update)]

    def _done(self, update_id: int, handled: asyncio.Future[None]) -> None:
        if handled.cancelled():  # the bot stopped first: not handled, never confirmed
            self.ledger.forget(update_id)
        else:
            self.ledger.done(update_id)
        self._progress.set()


def _readable(update: Any) -> bool:
    """Whether a polled item is an update at all; anything else is logged and skipped, never retried."""
    if isinstance(update, dict) and isinstance(update.get("update_id"), int):
        return True
    log.error("telegram: skipping an update that cannot be read: %.500r", update)
    return False
