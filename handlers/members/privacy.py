"""Members own their data: ``/mydata`` exports it, ``/forget`` erases it.

The export is a JSON document sent by direct message, never into a group. Erasure
asks for confirmation (a member is told plainly that it ends their membership: their
accounts are removed from the community chats, and coming back means applying again),
then deletes the person, their accounts and roles, their
applications and dialogue replies (and the platforms' copies of the replies, where the
bot can delete them, with their copies relayed to other platforms) and every message
queued for them; the audit log keeps its events under a pseudonym, without free text.
Once the erasure is committed, SQLite's write-ahead log is checkpointed, so no old copy
of the erased rows stays in the ``-wal`` file.
"""

from __future__ import annotations

import json
import logging

from bot.core.commands import Topic, Where
from bot.core.errors import PlatformError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.types import Attachment, Button, Role
from bot.services import Ctx
from storage.members.privacy import PersonalData
from storage.profiles import ProfileCache

log = logging.getLogger(__name__)
router = Router("privacy")


@router.command(
    "mydata",
    description=N_("Get everything the bot stores about you"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def mydata(ctx: Ctx) -> None:
    if ctx.actor.person_id is None:
        return
    data = await ctx.services.repo(PersonalData).export(ctx.actor.person_id)
    document = Attachment(
        f"copbot-my-data-{ctx.services.now():%Y-%m-%d}.json",
        json.dumps(data, ensure_ascii=False, indent=2).encode(),
        "application/json",
    )
    ctx.send(ctx.actor.user, ctx._(N_("Here is everything I store about you.")), attachments=[document])
    if not ctx.event.is_direct:
        ctx.reply(ctx._(N_("I sent it to you in a private message.")))


@router.command(
    "forget",
    description=N_("Delete everything the bot stores about you"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def forget(ctx: Ctx) -> None:
    if ctx.actor.has(Role.MEMBER):
        # a member loses more than data: say it plainly
        warning = ctx._(
            N_(
                "This ends your membership: you are removed from the community and its chats, and to "
                "come back you must apply again. It also deletes your profile, your accounts and roles, "
                "your application, your dialogue replies and everything queued for you. It cannot be "
                "undone. Are you sure?"
            )
        )
    else:
        warning = ctx._(
            N_(
                "This deletes your profile, your accounts and roles, and everything queued for you. "
                "It cannot be undone. Are you sure?"
            )
        )
    ctx.send(
        ctx.actor.user,
        warning,
        buttons=[
            [
                Button(ctx.gettext(N_("Yes, forget me")), "forget:yes"),
                Button(ctx.gettext(N_("No, keep my data")), "forget:no"),
            ]
        ],
    )


@router.button("forget")
async def forget_answer(ctx: Ctx) -> None:
    answer = (ctx.message.button or "").partition(":")[2] if ctx.message else ""
    person_id = ctx.actor.person_id
    if answer != "yes" or person_id is None:
        ctx.reply(ctx._(N_("Nothing was deleted.")))
        return
    services = ctx.services
    now = services.now()
    # a member's accounts leave the community chats too: membership ends with the data
    leaving = await services.users.identities(person_id) if ctx.actor.has(Role.MEMBER) else []
    personal = services.repo(PersonalData)
    forgotten = await personal.forget(person_id, now)
    alias = forgotten.alias if forgotten else "forgotten"
    await services.audit.record(at=now, actor=alias, action="privacy.forget", target=alias)
    profiles, platforms = services.shared.get(ProfileCache), ctx.platforms
    messages = forgotten.messages if forgotten else ()

    accounts = [identity.ref for identity in leaving]

    async def clean_up() -> None:
        profiles.forget(person_id)
        await personal.checkpoint()  # the erased rows' old pages leave SQLite's WAL
        for user in accounts:
            platform = platforms.get(user.platform)
            if platform is None:
                continue
            try:
                await platform.remove_user(user, None)
            except PlatformError as error:  # no community chat there, or already gone
                log.info("could not remove a forgotten member %s from the community: %s", user.key, error)
        for ref in messages:  # the platforms' own copies, where the bot can delete them
            platform = platforms.get(ref.chat.platform)
            if platform is None:
                continue
            try:
                await platform.delete_message(ref)
            except PlatformError as error:
                log.info("could not delete a forgotten member's message %s: %s", ref, error)

    ctx.after_commit(clean_up)
    ctx.reply(ctx._(N_("Done: everything I stored about you has been deleted.")))
