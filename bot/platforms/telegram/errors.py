"""python-telegram-bot's errors, turned into the core's :class:`~bot.core.errors.PlatformError` tree.

``RetryAfter`` becomes :class:`~bot.core.errors.RateLimited`, ``Forbidden`` and the bad
requests that mean "nobody there" :class:`~bot.core.errors.RecipientUnreachable`, a topic
deleted or closed :class:`~bot.core.errors.ThreadGone`, every
other Bot API error a plain :class:`~bot.core.errors.PlatformError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable, ThreadGone

#: Bad requests that mean "nobody there".
GONE = ("chat not found", "user not found", "peer_id_invalid", "bot was blocked", "user is deactivated")
#: Bad requests that mean "this topic takes no more messages" (the chat itself still does).
THREAD_GONE = ("message thread not found", "topic_deleted", "topic_closed")


def retry_seconds(error: RetryAfter) -> float:
    """How long a 429 asks to wait, in seconds (a number, or a timedelta with ``PTB_TIMEDELTA``)."""
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@contextlib.asynccontextmanager
async def converted() -> AsyncIterator[None]:
    """Turn python-telegram-bot's errors raised inside into the core's :class:`PlatformError` tree."""
    try:
        yield
    except RetryAfter as error:
        raise RateLimited(retry_seconds(error)) from error
    except Forbidden as error:
        raise RecipientUnreachable(error.message) from error
    except BadRequest as error:
        if any(gone in error.message.lower() for gone in GONE):
            raise RecipientUnreachable(error.message) from error
        if any(gone in error.message.lower() for gone in THREAD_GONE):
            raise ThreadGone(error.message) from error
        raise PlatformError(f"Bot API: {error.message}") from error
    except TelegramError as error:
        raise PlatformError(f"Bot API: {error.message}") from error
