"""Delivering the messages a handler queued.

Interactive replies go straight to their platform once the event's transaction has
committed. A rate limit on one chat makes only that conversation wait (its sequencer
key), never the others; messages for many recipients go through the durable outbox
instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.core.context import Context
from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable, ThreadGone
from bot.core.platform import Platform
from bot.core.types import MessageRef, OutgoingMessage

log = logging.getLogger(__name__)

#: The longest a single interactive reply waits on a platform's ``retry_after``.
MAX_INTERACTIVE_WAIT = 60.0


async def deliver(
    platforms: Mapping[str, Platform], message: OutgoingMessage, *, attempts: int = 3
) -> MessageRef | None:
    """Send ``message`` on its recipient's platform, honouring rate limits.

    Returns:
        The sent message, or ``None`` when it could not be delivered (logged).
    """
    platform = platforms.get(message.to.platform)
    if platform is None:
        log.error("no running platform %r for a message to %s", message.to.platform, message.to)
        return None
    for attempt in range(1, attempts + 1):
        try:
            return await platform.send(message)
        except RateLimited as limited:
            if attempt == attempts or limited.retry_after > MAX_INTERACTIVE_WAIT:
                log.warning("giving up a message to %s: %s", message.to, limited)
                return None
            await asyncio.sleep(limited.retry_after)
        except RecipientUnreachable as unreachable:
            log.info("recipient %s unreachable: %s", message.to, unreachable)
            return None
        except ThreadGone as gone:  # a member's doing (the topic was deleted or closed), not ours
            log.warning("thread %s takes no messages: %s", message.to, gone)
            return None
        except PlatformError:
            log.exception("the %s platform failed to send a message", platform.name)
            return None
    return None


async def flush(ctx: Context[Any]) -> None:
    """Deliver a context's queued messages, then run its queued effects, in order."""
    for message in ctx.outbox:
        await deliver(ctx.platforms, message)
    ctx.outbox.clear()
    for effect in ctx.effects:
        try:
            await effect()
        except Exception:
            log.exception("an after-commit effect failed for event %s", ctx.event.event_id)
    ctx.effects.clear()
