"""Who can be written to: a person who blocks the bot is skipped by broadcasts until they unblock it.

The outbox also learns it the hard way (a 403 on a send); platforms that report it as it
happens (Telegram's ``my_chat_member``) save the broadcasts those failed sends.
"""

from __future__ import annotations

from bot.core.router import Router
from bot.core.types import ReachabilityChanged
from bot.services import Ctx

router = Router("reachability")


@router.event(ReachabilityChanged)
async def reachability_changed(ctx: Ctx) -> None:
    event = ctx.event
    if not isinstance(event, ReachabilityChanged):
        return
    outbox = ctx.services.outbox
    if event.reachable:
        await outbox.mark_reachable(event.platform, event.sender.id)
    else:
        await outbox.mark_unreachable_recipient(
            event.platform, event.sender.id, ctx.services.now(), "blocked the bot"
        )
