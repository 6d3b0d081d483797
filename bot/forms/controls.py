"""``/back``, ``/skip`` and ``/cancel``: the typed controls of every form, routed once.

A command name belongs to one route, yet several features run forms. The router made
here sends each command to the first listed form the person has in progress, else to
the last form listed, which answers that nothing is in progress.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.router import Router
from bot.forms.flow import FormFlow
from bot.forms.prompts import Ctx


def controls_router(forms: Sequence[FormFlow]) -> Router:
    """The routes of ``/back``, ``/skip`` and ``/cancel`` for ``forms``.

    Args:
        forms: every form of the bot, in order of precedence; the last one answers when
            none is in progress.

    Raises:
        ValueError: ``forms`` is empty.
    """
    if not forms:
        raise ValueError("typed form controls need at least one form")
    listed = tuple(forms)

    async def owner(ctx: Ctx) -> FormFlow:
        for form in listed:
            if await form.in_progress(ctx):
                return form
        return listed[-1]

    router = Router("form_controls")

    @router.command("back")
    async def back(ctx: Ctx) -> None:
        await (await owner(ctx)).back(ctx)

    @router.command("skip")
    async def skip(ctx: Ctx) -> None:
        await (await owner(ctx)).skip(ctx)

    @router.command("cancel")
    async def cancel(ctx: Ctx) -> None:
        await (await owner(ctx)).cancel(ctx)

    return router
