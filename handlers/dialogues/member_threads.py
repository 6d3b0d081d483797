"""Members' own threads: ``/thread <title>`` opens one conversation on every platform.

The thread is stored with a copy per platform that has a community chat, and each
platform is asked to open its copy after the commit (:class:`ThreadOpener` records what
it answered, or drops the copy when it failed). A member's message in any copy is
relayed into the others by the same machinery as a prompt's replies
(:func:`~handlers.dialogues.relay.relay`), edits and deletions included; it is never a
dialogue reply, since a member thread's copies are no prompt's posts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import bold, fill
from bot.core.types import Button, ChatRef, OutgoingMessage, Role
from bot.features import RunSystem
from bot.services import Ctx
from handlers.dialogues.attribution import relayable
from handlers.dialogues.posting import usage_error
from handlers.dialogues.relay import follow_edit, is_relayed_copy, relay
from storage.dialogues.member_threads import TITLE_LIMIT, MemberThreadRepository

log = logging.getLogger(__name__)

router = Router("member_threads")


class ThreadOpener:
    """Opens a member thread's copies after the commit and records what each platform answered.

    The dialogues feature provides one when it starts; ``/thread`` finds it among the
    bot's shared objects.

    Args:
        run_system: ``CopBot.run_system``: records each answer in a unit of work of its own.
    """

    def __init__(self, run_system: RunSystem) -> None:
        self.run_system = run_system

    def opener(
        self, platform: Platform, chat: ChatRef, title: str, opening: OutgoingMessage, thread_id: int
    ) -> Callable[[], Awaitable[None]]:
        """The work, queued after the commit, that opens one copy of member thread ``thread_id``."""

        async def open_copy() -> None:
            try:
                ref = await platform.create_thread(chat, title, opening)
            except Exception:
                log.exception("could not open member thread %d on %s", thread_id, platform.name)

                async def drop(ctx: Ctx) -> None:
                    await ctx.services.repo(MemberThreadRepository).drop_copy(thread_id, chat)

                await self.run_system("member-thread-drop", drop)
                return

            async def record(ctx: Ctx) -> None:
                await ctx.services.repo(MemberThreadRepository).record_opened(
                    thread_id, ref.chat, ref.id, ctx.services.now()
                )

            await self.run_system("member-thread-record", record)

        return open_copy


#: Quotes a title may be written in: straight, curly, guillemets, CJK corner brackets.
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u300c": "\u300d", "'": "'"}
_INVITEE = re.compile(r"@\S+|#\d+")


def parse_thread_args(raw: str) -> tuple[str, list[str]]:
    """``/thread``'s arguments: the title (quoted, or everything before the invitees) and
    the invitees (``@handle`` or ``#12``), in the order written."""
    rest = raw.strip()
    closing = _QUOTES.get(rest[:1])
    if closing is not None and closing in rest[1:]:
        end = rest.index(closing, 1)
        title, words = rest[1:end].strip(), rest[end + 1 :].split()
        return title, [word for word in words if _INVITEE.fullmatch(word)]
    words = rest.split()
    invitees: list[str] = []
    while words and _INVITEE.fullmatch(words[-1]):
        invitees.insert(0, words.pop())
    return " ".join(words), invitees


@router.command(
    "thread",
    role=Role.MEMBER,
    description=N_("Open your own discussion thread, inviting people if you like"),
    usage=N_('<title> [@username | #member ...] or "<title>" ...'),
    topic=Topic.DIALOGUES,
)
async def open_thread(ctx: Ctx) -> None:
    title, invitees = parse_thread_args(ctx.command.raw_args if ctx.command else "")
    if not title:
        raise usage_error(ctx)
    if len(title) > TITLE_LIMIT:
        raise UserFacingError(N_("A thread title can be at most {limit} characters long."), limit=TITLE_LIMIT)
    chats = {
        name: platform.community_chat for name, platform in ctx.platforms.items() if platform.community_chat
    }
    if ctx.platform.community_chat is None or not chats:
        raise UserFacingError(N_("There is no community chat here to open a thread in."))
    opener = ctx.services.shared.find(ThreadOpener)
    if opener is None:
        raise LookupError("the dialogues feature has not started: no ThreadOpener")
    thread_id = await ctx.services.repo(MemberThreadRepository).create(
        title, ctx.actor.person_id, chats.values(), ctx.services.now()
    )
    catalogs = ctx.services.catalogs
    community = catalogs.translator(catalogs.default)  # the thread is the community's
    text = fill(
        community.gettext(N_("{name} ({platform}) opened this thread: {title}")),
        {"name": bold(ctx.actor.display_name), "platform": ctx.platform.display_name, "title": title},
    )
    for name, chat in chats.items():
        ctx.after_commit(
            opener.opener(ctx.platforms[name], chat, title, OutgoingMessage(chat, text), thread_id)
        )
    ctx.reply(ctx._(N_("Your thread {title} is being opened in the community chat."), title=bold(title)))
    await invite(ctx, thread_id, title, invitees)


async def invite(ctx: Ctx, thread_id: int, title: str, invitees: list[str]) -> None:
    """Tell each member named in ``invitees`` privately, in their language, with a Join
    button; tell the starter which names found no member."""
    users, missing = ctx.services.users, []
    invited: dict[int, OutgoingMessage] = {}
    for reference in invitees:
        people = await users.lookup(reference)
        person = people[0] if len(people) == 1 else None
        if person is None or max(await users.roles(person.id), default=Role.GUEST) < Role.MEMBER:
            missing.append(reference)
            continue
        account = await users.delivery_account(person.id, ctx.platforms.keys())
        if account is None or person.id == ctx.actor.person_id or person.id in invited:
            continue
        catalogs = ctx.services.catalogs
        gettext = catalogs.translator(catalogs.choose(account.locale, account.identity.language)).gettext
        text = fill(
            gettext(N_("{name} invites you to the thread {title}.")),
            {"name": bold(ctx.actor.display_name), "title": bold(title)},
        )
        buttons = ((Button(gettext(N_("Join")), join_payload(thread_id)),),)
        invited[person.id] = OutgoingMessage(account.identity.ref, text, buttons)
    if missing:
        ctx.reply(ctx._(N_("I found no member as {names}; they were not invited."), names=", ".join(missing)))
    for message in invited.values():
        ctx.send(message.to, message.text, buttons=message.buttons)


def join_payload(thread_id: int) -> str:
    """The payload of a Join button for member thread ``thread_id``."""
    return f"forum:join:{thread_id}"


async def _member_thread(ctx: Ctx) -> int | None:
    event = ctx.message
    if event is None or event.is_direct or event.chat.thread_id is None or not relayable(event):
        return None
    return await ctx.services.repo(MemberThreadRepository).thread_at(event.chat)


async def in_member_thread(ctx: Ctx) -> bool:
    """Whether the message was written in a copy of a member's thread."""
    return await _member_thread(ctx) is not None


@router.message(filter=in_member_thread, edits=True)
async def relay_in_member_thread(ctx: Ctx) -> None:
    event = ctx.message
    thread_id = await _member_thread(ctx)
    if event is None or thread_id is None or not ctx.actor.has(Role.MEMBER) or await is_relayed_copy(ctx):
        return
    if event.edited:
        await follow_edit(ctx)
        return
    threads = ctx.services.repo(MemberThreadRepository)
    await relay(ctx, await threads.copies(thread_id))
    await threads.count_message(thread_id, ctx.services.now())
