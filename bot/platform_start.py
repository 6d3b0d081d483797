"""Starting a platform that may not be reachable yet: retried with backoff, the others keep working.

A chat platform whose server is down when copbot starts (the Bot API unreachable, a
Matrix homeserver restarting) must not keep the console and the other platforms from
working. :class:`CopBot` starts it in the background instead, with :func:`start_until_up`:
one clear log line per failed attempt, waits that double from :attr:`Backoff.first` up
to :attr:`Backoff.cap`, and the platform joins the running bot once it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from bot.core.errors import ConfigurationError
from bot.core.platform import Platform

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    """The waits between attempts: ``first``, doubling, at most ``cap`` seconds."""

    first: float = 1.0
    cap: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.cap)


async def start_until_up(
    platform: Platform,
    start: Callable[[Platform], Awaitable[None]],
    backoff: Backoff,
    started: Callable[[Platform], Awaitable[None]],
    first_error: Exception,
) -> None:
    """Wait and try ``start(platform)`` again until it works, then call ``started(platform)``.

    Args:
        platform: the platform whose first start failed.
        start: starts it (raises while its server cannot be reached).
        backoff: the waits between attempts.
        started: joins the started platform to the bot.
        first_error: why the first attempt failed.

    A configuration error is not retried: the platform stays off, and says why.
    """
    error: Exception = first_error
    attempt = 1
    await _release(platform)  # what the first attempt opened
    try:
        for delay in backoff.delays():
            log.warning(
                "the %s platform did not start (attempt %d: %s); retrying in %g s, "
                "the other platforms keep working",
                platform.name,
                attempt,
                describe(error),
                delay,
            )
            await asyncio.sleep(delay)
            attempt += 1
            try:
                await start(platform)
            except ConfigurationError as refused:
                log.error("the %s platform stays off: %s", platform.name, refused)
                return
            except Exception as failure:
                error = failure
                await _release(platform)
                continue
            log.info("the %s platform started after %d attempts", platform.name, attempt)
            await started(platform)
            return
    except asyncio.CancelledError:  # the bot stops before the platform could start
        await _release(platform)
        raise


async def _release(platform: Platform) -> None:
    """Close what a failed or abandoned start opened (its stop may fail: nothing started)."""
    with contextlib.suppress(Exception):
        await platform.stop()


def describe(error: BaseException) -> str:
    """The error's type and first line, for a log line."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
