"""The forum: ``/threads`` lists the open member threads, Join says where one is.

* ``/threads``: the open member threads, the most recently active first, ten a page,
  each with its starter's name, how many messages it has and when it was last active,
  and a Join button.
* Join (``forum:join:<id>``, also on a ``/thread`` invitation): the thread's link or
  location on the presser's platform (:meth:`~bot.core.platform.Platform.thread_link`).
* ``/thread_close <id>``: a moderator closes a thread on every platform (audit-logged);
  it is no longer relayed nor listed.
* A message in a thread of the console's community chat that is neither a prompt's
  nor an open member thread's is answered (the console numbers threads by hand, so
  ``[community/7]`` may name none), rather than filed anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from babel.dates import format_timedelta

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, ChatRef, Role
from bot.services import Ctx
from handlers.dialogues.attribution import relayable
from handlers.dialogues.member_threads import join_payload
from handlers.dialogues.posting import usage_error
from storage.dialogues.member_threads import MemberThreadRepository, ThreadSummary
from storage.dialogues.repository import DialogueRepository

log = logging.getLogger(__name__)

router = Router("forum")

#: Threads on one page of ``/threads``.
PAGE = 10
#: How much of a title a Join button shows.
_LABEL_TITLE = 32


@router.command(
    "threads",
    role=Role.MEMBER,
    description=N_("List the open member threads, to join one"),
    topic=Topic.DIALOGUES,
)
async def list_threads(ctx: Ctx) -> None:
    await threads_page(ctx, 0)


async def threads_page(ctx: Ctx, offset: int) -> None:
    """Reply with the page of open threads that starts at ``offset``."""
    page, total = await ctx.services.repo(MemberThreadRepository).open_threads(offset, PAGE)
    if not page:
        ctx.reply(
            ctx._(N_("No member thread is open. Open one with {command}."), command=code(ctx.cmd("thread")))
        )
        return
    lines: list[Text | str] = [
        ctx._(
            N_("Open threads ({first}-{last} of {total}):"),
            first=offset + 1,
            last=offset + len(page),
            total=total,
        )
    ]
    lines.extend(_line(ctx, thread) for thread in page)
    buttons = [[Button(_join_label(ctx, thread), join_payload(thread.id))] for thread in page]
    if offset + PAGE < total:
        buttons.append([Button(ctx.gettext(N_("Next ▶")), f"forum:page:{offset + PAGE}")])
    ctx.reply(Text.join("\n", lines), buttons=buttons)


def _line(ctx: Ctx, thread: ThreadSummary) -> Text:
    since = format_timedelta(
        thread.last_activity - ctx.services.now(), add_direction=True, locale=ctx.actor.locale
    )
    return ctx._(
        N_("#{number} {title}, opened by {name}; replies: {messages}; last active {when}"),
        number=thread.id,
        title=bold(thread.title),
        name=thread.starter or ctx.gettext(N_("a former member")),
        messages=thread.messages,
        when=since,
    )


def _join_label(ctx: Ctx, thread: ThreadSummary) -> str:
    title = thread.title if len(thread.title) <= _LABEL_TITLE else thread.title[: _LABEL_TITLE - 1] + "…"
    return ctx.gettext(N_("Join: {title}")).format(title=title)


@router.button("forum", role=Role.MEMBER)
async def forum_button(ctx: Ctx) -> None:
    action, _, argument = (
        (ctx.message.button or "").partition(":")[2].partition(":") if ctx.message else ("", "", "")
    )
    if not argument.isdigit():
        raise UserFacingError(N_("That button has expired."))
    if action == "page":
        await threads_page(ctx, int(argument))
    elif action == "join":
        await _join(ctx, int(argument))
    else:
        raise UserFacingError(N_("That button has expired."))


async def _join(ctx: Ctx, thread_id: int) -> None:
    threads = ctx.services.repo(MemberThreadRepository)
    thread = await threads.open_thread(thread_id)
    if thread is None:
        raise UserFacingError(N_("Thread #{number} is not open any more."), number=thread_id)
    here = [copy for copy in await threads.copies(thread_id) if copy.chat.platform == ctx.platform.name]
    link = ctx.platform.thread_link(here[0].chat, here[0].opening) if here else None
    if link is None:
        ctx.reply(
            ctx._(
                N_("Look for the thread {title} in the community chat on {platform}."),
                title=bold(thread.title),
                platform=ctx.platform.display_name,
            )
        )
        return
    ctx.reply(ctx._(N_("The thread {title} is here: {link}"), title=bold(thread.title), link=link))


@router.command(
    "thread_close",
    role=Role.MODERATOR,
    description=N_("Close a member thread on every platform"),
    usage=N_("<thread number>"),
    topic=Topic.DIALOGUES,
)
async def close_thread(ctx: Ctx) -> None:
    number = ctx.args[0].removeprefix("#") if ctx.args else ""
    if not number.isdigit():
        raise usage_error(ctx)
    threads = ctx.services.repo(MemberThreadRepository)
    thread = await threads.open_thread(int(number))
    copies = await threads.close(int(number), ctx.services.now()) if thread is not None else None
    if thread is None or copies is None:
        raise UserFacingError(N_("No member thread #{number} is open."), number=number)
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="member_thread.close",
        target=f"member_thread:{thread.id}",
    )
    for copy in copies:
        platform = ctx.platforms.get(copy.chat.platform)
        if platform is not None:
            ctx.after_commit(_closer(platform, copy.chat))
    ctx.reply(ctx._(N_("Thread #{number} {title} is closed."), number=thread.id, title=bold(thread.title)))


def _closer(platform: Platform, chat: ChatRef) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        try:
            await platform.close_thread(chat)
        except Exception:  # the thread is closed here; the platform's copy just stays writable
            log.exception("could not close member thread copy %s on %s", chat, platform.name)

    return close


async def in_unknown_console_thread(ctx: Ctx) -> bool:
    """Whether a message was typed into a community thread the console never opened (or
    one since closed): neither a prompt's thread nor an open member thread."""
    event = ctx.message
    chat = event.chat if event is not None else None
    community = ctx.platform.community_chat
    if event is None or event.edited or chat is None or chat.thread_id is None or not relayable(event):
        return False
    if not ctx.platform.local_operator or community is None or chat.id != community.id:
        return False
    if await ctx.services.repo(DialogueRepository).thread_of(chat.platform, chat.id, chat.thread_id):
        return False
    return await ctx.services.repo(MemberThreadRepository).thread_at(chat) is None


@router.message(filter=in_unknown_console_thread)
async def unknown_thread(ctx: Ctx) -> None:
    thread = ctx.message.chat.thread_id if ctx.message else None
    ctx.send(
        ctx.actor.user,
        ctx._(N_("There is no open thread {thread} here; nothing was posted."), thread=code(str(thread))),
    )
    await _send_open_threads(ctx)


async def _send_open_threads(ctx: Ctx) -> None:
    """The first open threads with where each is on this platform, by direct message."""
    threads = ctx.services.repo(MemberThreadRepository)
    page, _ = await threads.open_threads(0, PAGE)
    places: list[Text | str] = []
    for thread in page:
        here: Sequence[ChatRef] = [
            copy.chat for copy in await threads.copies(thread.id) if copy.chat.platform == ctx.platform.name
        ]
        link = ctx.platform.thread_link(here[0], None) if here else None
        if link is not None:
            places.append(Text.of(link, " ", bold(thread.title)))
    if places:
        ctx.send(ctx.actor.user, Text.join("\n", [ctx._(N_("Open threads:")), *places]))
