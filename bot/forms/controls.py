"""``/back``, ``/skip`` and ``/cancel``: the typed controls of every form, routed once.

A command name belongs to one route, yet several features run forms. The router made
here sends each command to the form the person has in progress; when they have several
(a moderator writing a wiki entry while their own application is open), the form that
needs the higher role wins, being the more particular work. With none in progress, the
form open to the lowest role answers (the application: anyone may start it). A press on
a button that expired shows the person where they are in their form.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.commands import Where
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import code
from bot.forms.flow import FormFlow
from bot.forms.prompts import Ctx

#: The payload of a press on a button the platform no longer knows (see the adapters).
EXPIRED = "expired"


def controls_router(forms: Sequence[FormFlow]) -> Router:
    """The routes of ``/back``, ``/skip`` and ``/cancel`` for ``forms``.

    Args:
        forms: every form of the bot; among forms needing the same role, the first
            listed wins.

    Raises:
        ValueError: ``forms`` is empty.
    """
    if not forms:
        raise ValueError("typed form controls need at least one form")
    listed = sorted(forms, key=lambda form: form.role, reverse=True)  # stable: ties keep their order

    async def owner(ctx: Ctx) -> FormFlow:
        for form in listed:
            if await form.in_progress(ctx):
                return form
        return listed[-1]

    router = Router("form_controls")

    @router.button(EXPIRED)
    async def expired(ctx: Ctx) -> None:  # a press the platform could not tie to a button
        for form in listed:
            if await form.in_progress(ctx):
                await form.expired(ctx)
                return
        ctx.reply(
            ctx._(N_("That button has expired. Send {help} to start again."), help=code(ctx.cmd("help")))
        )

    @router.command("back", where=Where.DIRECT)
    async def back(ctx: Ctx) -> None:
        await (await owner(ctx)).back(ctx)

    @router.command("skip", where=Where.DIRECT)
    async def skip(ctx: Ctx) -> None:
        await (await owner(ctx)).skip(ctx)

    @router.command("cancel", where=Where.DIRECT)
    async def cancel(ctx: Ctx) -> None:
        await (await owner(ctx)).cancel(ctx)

    return router
