"""Delivering the messages a handler queued.

Interactive replies go straight to their platform once the event's transaction has
committed. A rate limit on one chat makes only that conversation wait (its sequencer
key), never the others; messages for many recipients go through the durable outbox
instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, Literal

from bot.core.context import Context
from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable, ThreadGone
from bot.core.platform import Platform
from bot.core.types import MessageRef, OutgoingMessage

log = logging.getLogger(__name__)

#: The longest a single interactive reply waits on a platform's ``retry_after``.
MAX_INTERACTIVE_WAIT = 60.0

#: How a send ended: confirmed, refused for now (a 429), recipient gone, or failed.
SendOutcome = Literal["sent", "rate_limited", "unreachable", "failed"]
#: Told of every send: ``(platform, path, outcome)``; ``path`` is ``interactive`` or ``outbox``.
SendObserver = Callable[[str, str, SendOutcome], None]
_observers: list[SendObserver] = []


def observe_sends(observer: SendObserver) -> Callable[[], None]:
    """Tell ``observer`` of every send from now on (the shell's metrics); returns the undo."""
    _observers.append(observer)
    return lambda: _observers.remove(observer)


def sent(platform: str, path: str, outcome: SendOutcome) -> None:
    """Report one send to the observers; an observer's failure never fails a send."""
    for observer in _observers:
        try:
            observer(platform, path, outcome)
        except Exception:
            log.exception("a send observer failed")


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
            ref = await platform.send(message)
        except RateLimited as limited:
            sent(platform.name, "interactive", "rate_limited")
            if attempt == attempts or limited.retry_after > MAX_INTERACTIVE_WAIT:
                log.warning("giving up a message to %s: %s", message.to, limited)
                return None
            await asyncio.sleep(limited.retry_after)
        except RecipientUnreachable as unreachable:
            sent(platform.name, "interactive", "unreachable")
            log.info("recipient %s unreachable: %s", message.to, unreachable)
            return None
        except ThreadGone as gone:  # a member's doing (the topic was deleted or closed), not ours
            sent(platform.name, "interactive", "failed")
            log.warning("thread %s takes no messages: %s", message.to, gone)
            return None
        except PlatformError:
            sent(platform.name, "interactive", "failed")
            log.exception("the %s platform failed to send a message", platform.name)
            return None
        else:
            sent(platform.name, "interactive", "sent")
            return ref
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
