"""Collecting replies to dialogue prompts, and subscriptions to them.

Every message a member writes in a prompt's thread is stored as a reply (edits update
it, deletions mark it deleted) and relayed into the prompt's threads on the other
platforms (:mod:`~handlers.dialogues.relay`); a file is relayed as a note, and stored as a
reply when it has a caption. A non-member's message there is not recorded; they are
told privately how to apply. After a dialogue closed, replies are refused politely.
``/reply <prompt> <text>``, or answering a prompt's direct-message copy, replies
privately: the reply is stored and posted into the thread on the member's behalf.
"""

from __future__ import annotations

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code, fill
from bot.core.types import ChatRef, MessageDeleted, Role
from bot.services import Ctx
from handlers.dialogues.attribution import relayable
from handlers.dialogues.numbering import first_words, prompt_numbered
from handlers.dialogues.posting import prompt_number, title_of, usage_error
from handlers.dialogues.relay import follow_deletion, follow_edit, is_relayed_copy, relay
from storage.dialogues.relays import MessageKey, ThreadCopy
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.subscriptions import Subscriptions
from storage.dialogues.texts import localized
from storage.dialogues.threads import ThreadOf

router = Router("dialogue_replies")


async def _thread(ctx: Ctx) -> ThreadOf | None:
    event = ctx.message
    if event is None or event.is_direct or event.chat.thread_id is None or not relayable(event):
        return None
    return await ctx.services.repo(DialogueRepository).thread_of(
        event.platform, event.chat.id, event.chat.thread_id
    )


async def in_prompt_thread(ctx: Ctx) -> bool:
    """Whether the message was written in the thread of a posted prompt."""
    return await _thread(ctx) is not None


@router.message(filter=in_prompt_thread, edits=True)
async def collect_reply(ctx: Ctx) -> None:
    event = ctx.message
    thread = await _thread(ctx)
    if event is None or thread is None or await is_relayed_copy(ctx):
        return
    if not ctx.actor.has(Role.MEMBER):
        if not event.edited:
            ctx.send(
                ctx.actor.user,
                ctx._(
                    N_(
                        "Only members' replies are collected in the dialogue threads, so yours was not "
                        "recorded. To join the community, send {command} to me."
                    ),
                    command=code(ctx.cmd("apply")),
                ),
            )
        return
    if event.text is None:  # a file without a caption: nothing to store, a note to relay
        stored = await _still_open(ctx, thread.dialogue_id)
    else:
        stored = await ctx.services.repo(DialogueRepository).save_reply(
            prompt_id=thread.prompt_id,
            person_id=ctx.actor.person_id,
            platform=event.platform,
            chat_id=event.chat.id,
            message_id=event.message_id,
            text=event.text,
            now=ctx.services.now(),
            edited=event.edited,
            while_open=thread.dialogue_id,
        )
    if not stored:
        ctx.send(
            ctx.actor.user,
            ctx._(N_("Thank you! This dialogue is closed, so your message was not added to it.")),
        )
    elif event.edited:
        await follow_edit(ctx)
    else:
        await relay(ctx, await _copies(ctx, thread.prompt_id))


async def _still_open(ctx: Ctx, dialogue_id: int) -> bool:
    dialogue = await ctx.services.repo(DialogueRepository).get(dialogue_id)
    return dialogue is not None and dialogue.status == "open"


async def _copies(ctx: Ctx, prompt_id: int) -> list[ThreadCopy]:
    """The prompt's threads on the platforms served, each with its opening message."""
    return [
        ThreadCopy(ChatRef(post.platform, post.chat_id, post.thread_id), post.message_id)
        for post in await ctx.services.repo(DialogueRepository).posts([prompt_id])
        if post.thread_id is not None and post.platform in ctx.platforms
    ]


@router.event(MessageDeleted)
async def reply_deleted(ctx: Ctx) -> None:
    event = ctx.event
    if isinstance(event, MessageDeleted):
        await ctx.services.repo(DialogueRepository).mark_deleted(
            event.platform, event.chat.id, event.message_id, ctx.services.now()
        )
        await follow_deletion(ctx, MessageKey(event.platform, event.chat.id, event.message_id))


@router.command(
    "reply",
    role=Role.MEMBER,
    description=N_("Answer a dialogue prompt privately"),
    usage=N_("<dialogue.prompt> <text>"),
    topic=Topic.DIALOGUES,
)
async def reply_privately(ctx: Ctx) -> None:
    raw = ctx.command.raw_args if ctx.command else ""
    words = raw.split(None, 1)
    if len(words) < 2:
        raise usage_error(ctx)
    prompt, _dialogue = await prompt_numbered(ctx, words[0])
    await _store_and_repost(ctx, prompt.id, words[1])


async def answers_a_copy(ctx: Ctx) -> bool:
    """Whether a direct message answers a prompt sent to a subscriber."""
    event = ctx.message
    if event is None or not event.is_direct or event.reply_to is None or event.text is None:
        return False
    return (
        await ctx.services.repo(Subscriptions).copy_of(event.platform, event.sender.id, event.reply_to)
        is not None
    )


@router.message(filter=answers_a_copy, role=Role.MEMBER)
async def reply_to_copy(ctx: Ctx) -> None:
    event = ctx.message
    if event is None or event.reply_to is None or event.text is None:
        return
    prompt_id = await ctx.services.repo(Subscriptions).copy_of(
        event.platform, event.sender.id, event.reply_to
    )
    if prompt_id is not None:
        await _store_and_repost(ctx, prompt_id, event.text)


async def _store_and_repost(ctx: Ctx, prompt_id: int, text: str) -> None:
    """Store a private answer and post it into the prompt's thread in the member's name."""
    repo = ctx.services.repo(DialogueRepository)
    prompt = await repo.prompt(prompt_id)
    if prompt is None:
        raise UserFacingError(N_("There is no prompt {id}."), id=prompt_id)
    dialogue = await repo.get(prompt.dialogue_id)
    posts = [
        post
        for post in await repo.posts([prompt.id])
        if post.platform == ctx.event.platform and post.thread_id
    ]
    if dialogue is None or not posts:
        raise UserFacingError(N_("Prompt {number} has not been posted yet."), number=prompt_number(prompt))
    if dialogue.status != "open":
        raise UserFacingError(N_("Thank you! This dialogue is closed, so your message was not added to it."))
    event = ctx.message
    await repo.save_reply(
        prompt_id=prompt.id,
        person_id=ctx.actor.person_id,
        platform=ctx.event.platform,
        chat_id=ctx.event.chat.id,
        message_id=event.message_id if event else None,
        text=text,
        now=ctx.services.now(),
    )
    catalogs = ctx.services.catalogs
    community = catalogs.translator(catalogs.default)
    post = posts[0]
    ctx.send(
        ChatRef(post.platform, post.chat_id, post.thread_id),
        fill(
            community.gettext(N_("{name} replied: {text}")),
            {"name": bold(ctx.actor.display_name), "text": text},
        ),
    )
    copies = await _copies(ctx, prompt.id)
    await relay(ctx, [copy for copy in copies if copy.chat.platform != post.platform], text=text)
    ctx.reply(
        ctx._(
            N_(
                "Thank you! Your reply to {number} “{opening}” ({dialogue}) is saved and posted in its thread."
            ),
            number=prompt_number(prompt),
            opening=first_words(localized(prompt.text, ctx.actor.locale)),
            dialogue=bold(title_of(dialogue, ctx.actor.locale)),
        )
    )


@router.command(
    "subscribe",
    role=Role.MEMBER,
    description=N_("Get each dialogue prompt by direct message"),
    where=Where.DIRECT,
    topic=Topic.DIALOGUES,
)
async def subscribe(ctx: Ctx) -> None:
    if ctx.actor.person_id is not None:
        await ctx.services.repo(Subscriptions).subscribe(ctx.actor.person_id, ctx.services.now())
    ctx.reply(
        Text.of(
            ctx._(
                N_("You will get each new dialogue prompt by direct message. {command} stops it."),
                command=code(ctx.cmd("unsubscribe")),
            )
        )
    )


@router.command(
    "unsubscribe",
    role=Role.MEMBER,
    description=N_("Stop getting prompts by direct message"),
    where=Where.DIRECT,
    topic=Topic.DIALOGUES,
)
async def unsubscribe(ctx: Ctx) -> None:
    if ctx.actor.person_id is not None:
        await ctx.services.repo(Subscriptions).unsubscribe(ctx.actor.person_id)
    ctx.reply(ctx._(N_("You will no longer get prompts by direct message.")))
