"""Bans, deliberately: ``/ban`` asks first, ``/unban`` offers to let the person back in.

A ban removes someone from every community chat, so ``/ban`` shows who and why with
Ban / Cancel buttons and bans only when the moderator who asked presses Ban
(:class:`~bot.forms.confirmation.Confirmation`: once, within the hour). ``/unban`` lifts
the ban at once; for a member it then offers "Let them back in": the same admission an
approved applicant gets (Telegram: their join request approved or a single-use invite
link; Matrix: an invitation), and a private message telling them they may come back.
Every confirmed action is audited; a cancelled one is not an action.
"""

from __future__ import annotations

from functools import partial

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.types import Role
from bot.forms.confirmation import Answer, Confirmation
from bot.services import Ctx
from handlers.application.common import admit, speaker
from handlers.members.roster import _audit, _protected, _reason, _remove_from_community, _tell, target
from storage.models import Person

router = Router("bans")

BAN = Confirmation("ban")
READMISSION = Confirmation("readmit")


@router.command(
    "ban",
    role=Role.MODERATOR,
    description=N_("Ban someone: the bot ignores them and removes them"),
    usage=N_("<person> [reason]"),
    topic=Topic.MEMBERS,
)
async def ban(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    if await _protected(ctx, person):
        return
    if person.banned_at is not None:
        _tell(ctx, N_("{name} (#{number}) is already banned."), person)
        return
    reason = _reason(ctx)
    values = {"name": person.display_name, "number": person.id}
    question = (
        ctx._(
            N_(
                "Ban {name} (#{number}) for this reason: {reason}? The bot will ignore them and remove them from the community chats."
            ),
            reason=reason,
            **values,
        )
        if reason
        else ctx._(
            N_(
                "Ban {name} (#{number}), with no reason given? The bot will ignore them and remove them from the community chats."
            ),
            **values,
        )
    )
    await BAN.ask(
        ctx,
        question,
        {"person": person.id, "reason": reason},
        confirm=ctx.gettext(N_("Ban")),
        cancel=ctx.gettext(N_("Cancel")),
        about=(person.id,),
    )


@router.button(BAN.namespace, role=Role.MODERATOR)
async def ban_answer(ctx: Ctx) -> None:
    answer = await BAN.answer(ctx)
    if answer is None:
        return
    person = await _person(ctx, answer)
    if not answer.confirmed:
        _tell(ctx, N_("Nothing was done: {name} (#{number}) is not banned."), person)
        return
    if person.banned_at is not None:  # another moderator was quicker
        _tell(ctx, N_("{name} (#{number}) is already banned."), person)
        return
    if await _protected(ctx, person):  # they may have become a moderator since the question
        return
    reason = answer.action.get("reason")
    reason = str(reason) if reason else None
    await ctx.services.users.set_banned(person.id, ctx.services.now(), reason)
    await _audit(ctx, "person.ban", person, reason)
    await _remove_from_community(ctx, person, reason, ban=True)
    _tell(ctx, N_("{name} (#{number}) is banned."), person)


@router.command(
    "unban", role=Role.MODERATOR, description=N_("Lift a ban"), usage=N_("<person>"), topic=Topic.MEMBERS
)
async def unban(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    if person.banned_at is None:
        _tell(ctx, N_("{name} (#{number}) is not banned."), person)
        return
    users = ctx.services.users
    await users.set_banned(person.id, None)
    await _audit(ctx, "person.unban", person)
    if not any(role >= Role.MEMBER for role in await users.roles(person.id)):
        _tell(ctx, N_("{name} (#{number}) is no longer banned."), person)
        return
    await READMISSION.ask(
        ctx,
        ctx._(
            N_(
                "{name} (#{number}) is no longer banned. Let them back into the community? They will be told privately that they may come back."
            ),
            name=person.display_name,
            number=person.id,
        ),
        {"person": person.id},
        confirm=ctx.gettext(N_("Let them back in")),
        cancel=ctx.gettext(N_("Not now")),
        about=(person.id,),
    )


@router.button(READMISSION.namespace, role=Role.MODERATOR)
async def readmission_answer(ctx: Ctx) -> None:
    answer = await READMISSION.answer(ctx)
    if answer is None:
        return
    person = await _person(ctx, answer)
    if not answer.confirmed:
        _tell(ctx, N_("The ban on {name} (#{number}) is lifted; they were not invited back."), person)
        return
    if person.banned_at is not None:
        _tell(ctx, N_("{name} (#{number}) has been banned again meanwhile; nothing was done."), person)
        return
    users = ctx.services.users
    for identity in await users.identities(person.id):
        platform = ctx.platforms.get(identity.platform)
        if platform is None:
            continue
        say = speaker(ctx, ctx.services.catalogs.choose(person.locale, identity.language))
        ctx.send(
            identity.ref,
            say(
                N_(
                    "Good news: the moderators have lifted your ban. You are welcome back in the community of practice."
                )
            ),
        )
        ctx.after_commit(partial(admit, platform, identity.ref))
    await _audit(ctx, "person.readmit", person)
    _tell(ctx, N_("{name} (#{number}) is let back in and has been told privately."), person)


async def _person(ctx: Ctx, answer: Answer) -> Person:
    """The person a question was about, as they are now."""
    number = int(answer.action["person"])
    person = await ctx.services.users.person(number)
    if person is None:  # forgotten (/forget) since the question
        raise UserFacingError(N_("I know no one as {reference}."), reference=f"#{number}")
    return person
