"""``/announcements off|on``: a member stops the moderators' announcements, or lets them in again.

The setting is stored per person (``people.announcements``), so it holds on every linked
account; ``/announce`` leaves out whoever turned them off
(:meth:`storage.users.UserRepository.member_recipients`). Dialogue prompts by direct
message have their own setting, ``/subscribe`` and ``/unsubscribe``, which this one
leaves alone. ``/announcements`` alone shows the setting with a button to change it.
"""

from __future__ import annotations

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import code
from bot.core.types import Button, Role
from bot.services import Ctx

router = Router("announcements")

#: The button namespace: ``announcements:on`` and ``announcements:off``.
BUTTONS = "announcements"
CHOICES = {"on": True, "off": False}


@router.command(
    "announcements",
    role=Role.MEMBER,
    description=N_("Stop or resume the moderators' announcements"),
    usage=N_("[on|off]"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def announcements(ctx: Ctx) -> None:
    if not ctx.args:
        await _show(ctx)
        return
    choice = ctx.args[0].lower()
    if choice not in CHOICES or len(ctx.args) > 1:
        raise UserFacingError(
            N_("Write {off} to stop the moderators' announcements, or {on} to get them again."),
            off=code(ctx.cmd("announcements") + " off"),
            on=code(ctx.cmd("announcements") + " on"),
        )
    await _set(ctx, CHOICES[choice])


@router.button(BUTTONS, role=Role.MEMBER)
async def announcements_button(ctx: Ctx) -> None:
    choice = (ctx.message.button or "").partition(":")[2] if ctx.message else ""
    if choice not in CHOICES:
        await _show(ctx)
        return
    await _set(ctx, CHOICES[choice])


async def _show(ctx: Ctx) -> None:
    person = await ctx.services.users.person(ctx.actor.person_id) if ctx.actor.person_id else None
    if person is None or person.announcements:
        text = ctx._(N_("The moderators' announcements reach you by direct message."))
        button = Button(ctx.gettext(N_("Stop announcements")), f"{BUTTONS}:off")
    else:
        text = ctx._(N_("The moderators' announcements do not reach you: you turned them off."))
        button = Button(ctx.gettext(N_("Get announcements again")), f"{BUTTONS}:on")
    ctx.reply(text, buttons=[[button]])


async def _set(ctx: Ctx, on: bool) -> None:
    if ctx.actor.person_id is None:
        return
    await ctx.services.users.set_announcements(ctx.actor.person_id, on)
    if on:
        ctx.reply(ctx._(N_("Done: the moderators' announcements reach you again.")))
        return
    ctx.reply(
        ctx._(
            N_(
                "Done: the moderators' announcements no longer reach you; you stay a member. Dialogue "
                "prompts are not affected ({unsubscribe} stops those). {on} turns announcements on again."
            ),
            unsubscribe=code(ctx.cmd("unsubscribe")),
            on=code(ctx.cmd("announcements") + " on"),
        )
    )
