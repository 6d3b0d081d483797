"""Mirrored conversations: one conversation with a copy on every platform.

Each dialogue prompt is posted as a thread on every platform (a Telegram forum topic, a
Matrix ``m.thread``, a console thread). A member's message in one copy is relayed into
the others, attributed ("Amina Diallo (Telegram): …"), and stored once, as the reply it
is (:mod:`~handlers.dialogues.replies`). With ``COPBOT_MIRROR_GENERAL_CHAT`` the
community's general chats are mirrored the same way.

* Relayed copies go through the durable outbox, at each platform's pace: the outbox rows
  and their ``relayed_messages`` rows are written in the transaction that stores the
  reply, so a crash loses no relay, and the event's claim makes each relay once (Matrix
  sends carry the row's key as transaction id, so a send repeated after a crash is
  dropped by the homeserver; on Telegram only the sends in flight can double).
* Edits follow: a copy not sent yet is rewritten in the outbox, a sent one is edited on
  its platform after the commit. Deletions (Matrix redactions) withdraw or delete the
  copies. An answer to a particular message answers that message's copy elsewhere.
* Loops cannot start: the bot's own messages and the relayed copies (recognised by their
  message ids in the outbox) are never relayed; banned people's events never reach here.

A mirrored conversation is given as its copies (:class:`ThreadCopy`: chat and thread,
and the message that opened it there): a prompt's posts, a member thread's copies
(:mod:`~handlers.dialogues.member_threads`), or the community chats. Incoming messages
carry plain text, so copies carry plain text (the attribution is bold); a photo or
document is copied with the attribution as its caption, within each platform's limits
(the outbox row carries it: :mod:`storage.outbox_files`, fetched and kept by the sender
before its first send); a file too large, a video or an audio message is a note saying
what it was (:mod:`~handlers.dialogues.attribution`); stickers are not relayed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.core.errors import UnsupportedCapability
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.types import ChatRef, IncomingMessage, MessageRef, OutgoingMessage, Role
from bot.services import Ctx
from handlers.dialogues.attribution import FileCopy, attributed, caption, file_copy, relayable
from storage.dialogues.relays import MessageKey, RelayRepository, ThreadCopy
from storage.dialogues.repository import DialogueRepository
from storage.outbox import PENDING

log = logging.getLogger(__name__)

router = Router("dialogue_relay")


def source_key(event: IncomingMessage) -> MessageKey | None:
    """The event's message as its platform identifies it, if it has an id."""
    if event.message_id is None:
        return None
    return MessageKey(event.platform, event.chat.id, event.message_id)


async def is_relayed_copy(ctx: Ctx) -> bool:
    """Whether the event is the bot's own message: a relayed copy echoed back, or any other."""
    event = ctx.message
    if event is None:
        return False
    own = ctx.platform.bot_username
    if own is not None and own in (event.sender.id, event.sender.username):
        return True
    key = source_key(event)
    return key is not None and await ctx.services.repo(RelayRepository).source_of(key) is not None


async def relay(ctx: Ctx, copies: Sequence[ThreadCopy], *, text: str | None = None) -> int:
    """Queue a copy of the event's message into each copy of its conversation but its own.

    Args:
        ctx: the unit of work of the message to relay.
        copies: every copy of the conversation (the event's own chat is skipped); their
            openings let an answer to the opening answer it in every copy.
        text: what to relay, if not the message's own text (a private ``/reply``).

    Returns:
        How many copies were queued.
    """
    event = ctx.message
    key = source_key(event) if event is not None else None
    if event is None or key is None or (text is None and not relayable(event)):
        return 0
    targets = [
        copy.chat for copy in copies if (copy.chat.platform, copy.chat.id) != (event.platform, event.chat.id)
    ]
    if not targets:
        return 0
    relays = ctx.services.repo(RelayRepository)
    answered: dict[ChatRef, str] = {}
    if event.reply_to is not None:
        openings = {(copy.chat.platform, copy.chat.id): copy.opening for copy in copies if copy.opening}
        if openings.get((event.platform, event.chat.id)) == event.reply_to:
            answered = {
                target: openings[(target.platform, target.id)]
                for target in targets
                if (target.platform, target.id) in openings
            }
        else:
            replied = MessageKey(event.platform, event.chat.id, event.reply_to)
            answered = await relays.counterparts(replied, targets)
    copies_by_target = _copies(ctx, targets, text)
    now = ctx.services.now()
    outbox = ctx.services.outbox
    rows = await outbox.enqueue(
        [
            OutgoingMessage(target, copies_by_target[target].text, reply_to=answered.get(target))
            for target in targets
        ],
        now,
    )
    for target, row in zip(targets, rows, strict=True):
        made = copies_by_target[target]
        if made.media is not None and made.note is not None and made.too_large is not None:
            await outbox.files.attach(row, event.platform, made.media, made.note, made.too_large)
    await relays.record(key, zip(targets, rows, strict=True), now, ctx.actor.person_id)
    return len(rows)


def _copies(ctx: Ctx, targets: Sequence[ChatRef], text: str | None) -> dict[ChatRef, FileCopy]:
    """The copy for each target: the text, or the file (within each platform's limits)."""
    event = ctx.message
    assert event is not None
    if text is not None or event.media is None:
        copy = FileCopy(attributed(ctx, text if text is not None else event.text, None))
        return dict.fromkeys(targets, copy)
    return {
        target: file_copy(ctx, event.text, event.media, ctx.platforms.get(target.platform))
        for target in targets
    }


async def follow_edit(ctx: Ctx) -> bool:
    """Carry an edited message's new text into its relayed copies; whether it has any."""
    event = ctx.message
    key = source_key(event) if event is not None else None
    if event is None or key is None or not relayable(event):
        return False
    copies = await ctx.services.repo(RelayRepository).copies_of(key)
    text = caption(ctx, event.text, event.media)
    for copy in copies:
        if copy.status == PENDING and await ctx.services.outbox.rewrite_pending(copy.outbox_id, text):
            continue  # it will go out edited
        platform, ref = ctx.platforms.get(copy.target.platform), copy.ref
        if platform is not None and ref is not None:
            ctx.after_commit(_editor(platform, ref, OutgoingMessage(copy.target, text)))
    return bool(copies)


async def follow_deletion(ctx: Ctx, key: MessageKey) -> None:
    """Withdraw the copies of a deleted message not sent yet, and delete the sent ones."""
    for copy in await ctx.services.repo(RelayRepository).copies_of(key):
        if copy.status == PENDING and await ctx.services.outbox.cancel_pending(copy.outbox_id):
            continue
        platform, ref = ctx.platforms.get(copy.target.platform), copy.ref
        if platform is not None and ref is not None:
            ctx.after_commit(_deleter(platform, ref))


def _editor(platform: Platform, ref: MessageRef, message: OutgoingMessage) -> Callable[[], Awaitable[None]]:
    async def edit() -> None:
        try:
            await platform.edit(ref, message)
        except Exception as error:  # the original stays edited; one copy lags behind
            log.warning("could not edit relayed copy %s: %s", ref, error)

    return edit


def _deleter(platform: Platform, ref: MessageRef) -> Callable[[], Awaitable[None]]:
    async def delete() -> None:
        try:
            await platform.delete_message(ref)
        except UnsupportedCapability:
            log.info("%s cannot delete messages; relayed copy %s stays", platform.name, ref)
        except Exception as error:
            log.warning("could not delete relayed copy %s: %s", ref, error)

    return delete


# -- edits that arrive outside their thread, and the general chat --------------------


async def edits_a_relayed_message(ctx: Ctx) -> bool:
    """Whether an edit, arriving without its thread (Matrix ``m.replace``), has copies."""
    event = ctx.message
    if event is None or not event.edited or event.is_direct or event.chat.thread_id is not None:
        return False
    key = source_key(event)
    return key is not None and bool(await ctx.services.repo(RelayRepository).copies_of(key))


@router.message(filter=edits_a_relayed_message, edits=True)
async def relayed_message_edited(ctx: Ctx) -> None:
    event = ctx.message
    if event is None or event.message_id is None or event.text is None:
        return
    stored = await ctx.services.repo(DialogueRepository).edit_reply(
        event.platform, event.chat.id, event.message_id, event.text, ctx.services.now()
    )
    if stored is not False:  # a general-chat message (None), or a reply of an open dialogue
        await follow_edit(ctx)


async def in_general_chat(ctx: Ctx) -> bool:
    """Whether the message was written in a mirrored general chat (outside any thread)."""
    event = ctx.message
    community = ctx.platform.community_chat
    return (
        ctx.services.settings.mirror_general_chat
        and event is not None
        and not event.is_direct
        and relayable(event)
        and community is not None
        and event.chat.id == community.id
        and event.chat.thread_id is None
    )


@router.message(filter=in_general_chat, edits=True)
async def mirror_general_chat(ctx: Ctx) -> None:
    event = ctx.message
    if event is None or not ctx.actor.has(Role.MEMBER) or await is_relayed_copy(ctx):
        return
    if event.edited:
        await follow_edit(ctx)
        return
    chats = [
        ThreadCopy(platform.community_chat) for platform in ctx.platforms.values() if platform.community_chat
    ]
    await relay(ctx, chats)
