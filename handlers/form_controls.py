"""``/back``, ``/skip`` and ``/cancel``: typed controls shared by every form in a direct chat.

A command name belongs to one route, yet several features run forms (the application, the
wiki's ``/wiki_add``). Each feature declares its :class:`FormControls`; the command goes
to the first whose form the person has in progress, else to the last one listed (the
application, which answers that nothing is in progress).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.commands import Where
from bot.core.router import Router
from bot.services import Ctx

router = Router("form_controls")

Handler = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FormControls:
    """What a feature's form does on each typed control, and whether it is in progress."""

    in_progress: Callable[[Ctx], Awaitable[bool]]
    back: Handler
    skip: Handler
    cancel: Handler


def _forms() -> tuple[FormControls, ...]:
    from handlers.application import conversation
    from handlers.wiki import add as wiki_add

    return (wiki_add.CONTROLS, conversation.CONTROLS)  # the last one answers when none is in progress


async def _owner(ctx: Ctx) -> FormControls:
    forms = _forms()
    for form in forms:
        if await form.in_progress(ctx):
            return form
    return forms[-1]


@router.command("back", where=Where.DIRECT)
async def back(ctx: Ctx) -> None:
    await (await _owner(ctx)).back(ctx)


@router.command("skip", where=Where.DIRECT)
async def skip(ctx: Ctx) -> None:
    await (await _owner(ctx)).skip(ctx)


@router.command("cancel", where=Where.DIRECT)
async def cancel(ctx: Ctx) -> None:
    await (await _owner(ctx)).cancel(ctx)
