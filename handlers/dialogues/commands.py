"""Virtual dialogues: listing them, and the moderators' commands to plan them.

``/dialogues`` and ``/dialogue <id>`` are for everyone; ``/dialogues all`` and a closed
dialogue's replies are the archive's (:mod:`handlers.dialogues.archive`). Moderators create a dialogue
(``/dialogue_new``), add, edit and delete its prompts and export it; cancelling it is
:mod:`handlers.dialogues.cancelling`'s. Dates typed by moderators are in the dialogue's
time zone (the bot's ``timezone`` setting); they are stored in UTC. Posting is :mod:`handlers.dialogues.posting`'s job; replies are
:mod:`handlers.dialogues.replies`'.
"""

from __future__ import annotations

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Attachment, ChatRef, MessageRef, OutgoingMessage, Role
from bot.services import Ctx
from handlers.dialogues import archive
from handlers.dialogues.export import FORMATS, load_export, render
from handlers.dialogues.moments import (
    date_typed,
    looks_like_date,
    now_in,
    post_time,
    time_and_text,
)
from handlers.dialogues.numbering import prompt_numbered
from handlers.dialogues.posting import opening, prompt_number, title_of, usage_error
from handlers.dialogues.timers import DialogueTimers
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.texts import localized
from storage.models import Dialogue, Prompt

router = Router("dialogues")
router.include(archive.router)

#: Statuses whose prompts may still change.
_PLANNED = ("draft", "scheduled", "open")


@router.command(
    "dialogues",
    description=N_("The virtual dialogues, open and upcoming (all: past ones too)"),
    usage=N_("[all]"),
    topic=Topic.DIALOGUES,
)
async def list_dialogues(ctx: Ctx) -> None:
    if ctx.args and ctx.args[0].lower() == "all":
        await archive.list_all(ctx, 0)
        return
    if ctx.args:
        raise usage_error(ctx)
    dialogues = await ctx.services.repo(DialogueRepository).listed(("scheduled", "open"))
    past = ctx._(N_("Past dialogues: {command}."), command=code(ctx.cmd("dialogues") + " all"))
    if not dialogues:
        ctx.reply(Text.join("\n", [ctx._(N_("No virtual dialogue is open or planned at the moment.")), past]))
        return
    lines = [ctx._(N_("Virtual dialogues:"))]
    for dialogue in dialogues:
        template = (
            N_("{id}. {title}: open until {end}")
            if dialogue.status == "open"
            else N_("{id}. {title}: from {start} to {end}")
        )
        lines.append(
            ctx._(
                template,
                id=dialogue.id,
                title=bold(title_of(dialogue, ctx.actor.locale)),
                start=dialogue.start_date,
                end=dialogue.end_date,
            )
        )
    lines.append(ctx._(N_("Send {command} to see one."), command=code(ctx.cmd("dialogue") + " <id>")))
    lines.append(past)
    ctx.reply(Text.join("\n", lines))


@router.command(
    "dialogue", description=N_("A dialogue's prompts so far"), usage=N_("<id>"), topic=Topic.DIALOGUES
)
async def show_dialogue(ctx: Ctx) -> None:
    dialogue = await dialogue_in_args(ctx, 0)
    now = ctx.services.now()
    prompts = await ctx.services.repo(DialogueRepository).prompts(dialogue.id)
    moderator = ctx.actor.has(Role.MODERATOR)
    posted = [prompt for prompt in prompts if prompt.post_at <= now]
    shown = prompts if moderator else posted  # moderators also see what is still to come
    lines = [
        ctx._(
            N_("{title} ({start} to {end}, {zone})"),
            title=bold(title_of(dialogue, ctx.actor.locale)),
            start=dialogue.start_date,
            end=dialogue.end_date,
            zone=dialogue.timezone,
        )
    ]
    description = localized(dialogue.description, ctx.actor.locale)
    if description:
        lines.append(Text.of(description))
    if dialogue.status == "cancelled":  # its prompts are not shown: nobody should answer them
        lines.append(ctx._(N_("This dialogue was cancelled: it takes no replies.")))
        ctx.reply(Text.join("\n", lines))
        return
    if dialogue.status == "closed":
        await archive.show_closed(ctx, dialogue, lines)
        return
    for prompt in shown:
        line = N_("Prompt {number} ({when}): {text}")
        if prompt.post_at > now:
            line = N_("Prompt {number} (to be posted {when}): {text}")
        lines.append(
            ctx._(
                line,
                number=bold(prompt_number(prompt)),
                when=ctx.datetime(prompt.post_at, dialogue.timezone),
                text=localized(prompt.text, ctx.actor.locale),
            )
        )
    if not posted:
        lines.append(ctx._(N_("No prompt has been posted yet.")))
    elif dialogue.status == "open":
        lines.append(
            ctx._(
                N_("Reply in the prompt's thread in the community chat, or privately with {command}."),
                command=code(ctx.cmd("reply") + f" {prompt_number(posted[-1])} <text>"),
            )
        )
    ctx.reply(Text.join("\n", lines))


@router.command(
    "dialogue_new",
    role=Role.MODERATOR,
    description=N_("Plan a virtual dialogue"),
    usage=N_('"<title>" <start YYYY-MM-DD> <end YYYY-MM-DD>'),
    topic=Topic.DIALOGUES,
)
async def new_dialogue(ctx: Ctx) -> None:
    if len(ctx.args) != 3:
        raise usage_error(ctx)
    title, start_text, end_text = ctx.args
    start, end = date_typed(start_text), date_typed(end_text)
    if end < start:
        raise UserFacingError(N_("The end {end} is before the start {start}."), start=start, end=end)
    now = ctx.services.now()
    zone = ctx.services.settings.timezone
    dialogue = await ctx.services.repo(DialogueRepository).create(
        title={ctx.actor.locale: title},
        start=start,
        end=end,
        timezone=zone,
        now=now,
        created_by=ctx.actor.person_id,
    )
    await audit(ctx, "dialogue.create", f"dialogue:{dialogue.id}", {"title": title})
    reschedule(ctx)
    ctx.reply(
        ctx._(
            N_("Dialogue {id} {title} planned from {start} to {end} ({zone}). Add prompts with {command}."),
            id=dialogue.id,
            title=bold(title),
            start=start,
            end=end,
            zone=zone,
            command=code(ctx.cmd("prompt_add") + f" {dialogue.id} <YYYY-MM-DD HH:MM> <text>"),
        )
    )


@router.command(
    "prompt_add",
    role=Role.MODERATOR,
    description=N_("Add a prompt to a dialogue"),
    usage=N_("<dialogue> <YYYY-MM-DD HH:MM | now> <text>"),
    topic=Topic.DIALOGUES,
)
async def add_prompt(ctx: Ctx) -> None:
    words = _raw_words(ctx, 2)
    when, text = time_and_text(ctx, words[1])
    dialogue = await dialogue_in_args(ctx, 0)
    ensure_editable(dialogue)
    now = ctx.services.now()
    post_at = now_in(dialogue, now) if when is None else post_time(dialogue, when, now)
    prompt = await ctx.services.repo(DialogueRepository).add_prompt(
        dialogue.id, {ctx.actor.locale: text}, post_at
    )
    reschedule(ctx)
    if when is None:
        ctx.reply(ctx._(N_("Prompt {number} is being posted now."), number=prompt_number(prompt)))
        return
    ctx.reply(
        ctx._(
            N_("Prompt {number} will be posted on {when} ({zone})."),
            number=prompt_number(prompt),
            when=ctx.datetime(post_at, dialogue.timezone),
            zone=dialogue.timezone,
        )
    )


@router.command(
    "prompt_edit",
    role=Role.MODERATOR,
    description=N_("Change a prompt's text, or its time"),
    usage=N_("<dialogue.prompt> <text> | <dialogue.prompt> <YYYY-MM-DD HH:MM>"),
    topic=Topic.DIALOGUES,
)
async def edit_prompt(ctx: Ctx) -> None:
    words = _raw_words(ctx, 2)
    prompt, dialogue = await prompt_numbered(ctx, words[0])
    ensure_editable(dialogue)
    moment = words[1].strip("\"'“”«» ")
    parts = moment.split()
    if len(parts) == 2 and looks_like_date(parts[0]):
        if await ctx.services.repo(DialogueRepository).posts([prompt.id]):
            raise UserFacingError(
                N_("Prompt {number} is already posted; its time cannot change."), number=prompt_number(prompt)
            )
        prompt.post_at = post_time(dialogue, moment, ctx.services.now())
    else:
        prompt.text = {**prompt.text, ctx.actor.locale: words[1]}
        await _update_posted(ctx, dialogue, prompt)
    reschedule(ctx)
    ctx.reply(
        ctx._(
            N_("Prompt {number} changed; it is posted on {when} ({zone})."),
            number=prompt_number(prompt),
            when=ctx.datetime(prompt.post_at, dialogue.timezone),
            zone=dialogue.timezone,
        )
    )


@router.command(
    "prompt_delete",
    role=Role.MODERATOR,
    description=N_("Delete a prompt"),
    usage=N_("<dialogue.prompt>"),
    topic=Topic.DIALOGUES,
)
async def delete_prompt(ctx: Ctx) -> None:
    if not ctx.args:
        raise usage_error(ctx)
    prompt, dialogue = await prompt_numbered(ctx, ctx.args[0])
    ensure_editable(dialogue)
    if await ctx.services.repo(DialogueRepository).posts([prompt.id]):
        raise UserFacingError(
            N_("Prompt {number} is already posted; it cannot be deleted."), number=prompt_number(prompt)
        )
    await ctx.services.repo(DialogueRepository).delete_prompt(prompt.id)
    details: dict[str, object] = {"number": prompt_number(prompt), "text": prompt.text}
    await audit(ctx, "dialogue.prompt_delete", f"prompt:{prompt.id}", details)
    reschedule(ctx)
    ctx.reply(ctx._(N_("Prompt {number} deleted."), number=prompt_number(prompt)))


@router.command(
    "export",
    role=Role.MODERATOR,
    description=N_("Export a dialogue with its replies"),
    usage=N_("<dialogue> [md|html|csv|json]"),
    topic=Topic.DIALOGUES,
)
async def export(ctx: Ctx) -> None:
    dialogue = await dialogue_in_args(ctx, 0)
    kind = ctx.args[1].lower() if len(ctx.args) > 1 else "md"
    if kind not in FORMATS:
        raise UserFacingError(N_("I export as {formats}, not {kind}."), formats=", ".join(FORMATS), kind=kind)
    exported = await load_export(ctx.services.repo(DialogueRepository), dialogue.id, ctx.actor.locale)
    data, media_type = render(exported, kind)
    ctx.reply(
        ctx._(N_("The export of dialogue {id}:"), id=dialogue.id),
        attachments=[Attachment(f"dialogue-{dialogue.id}.{kind}", data, media_type)],
    )


async def _update_posted(ctx: Ctx, dialogue: Dialogue, prompt: Prompt) -> None:
    """Edit the opening message of a posted prompt's threads to its new text."""
    _title, body = opening(ctx.services.catalogs, dialogue, prompt)
    for post in await ctx.services.repo(DialogueRepository).posts([prompt.id]):
        platform = ctx.platforms.get(post.platform)
        if platform is None or post.message_id is None:
            continue
        thread = ChatRef(post.platform, post.chat_id, post.thread_id)
        ref, message = MessageRef(thread, post.message_id), OutgoingMessage(thread, body)

        async def edit(
            platform: Platform = platform, ref: MessageRef = ref, message: OutgoingMessage = message
        ) -> None:
            await platform.edit(ref, message)

        ctx.after_commit(edit)


# -- parsing ----------------------------------------------------------------------------


async def audit(ctx: Ctx, action: str, target: str, details: dict[str, object] | None = None) -> None:
    """Record the moderator's change of a dialogue or prompt in the audit log."""
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        action=action,
        actor_person_id=ctx.actor.person_id,
        target=target,
        details=dict(details or {}),
    )


async def dialogue_in_args(ctx: Ctx, index: int) -> Dialogue:
    """The dialogue whose number is the command's argument ``index``, or a localized refusal."""
    if len(ctx.args) <= index:
        raise UserFacingError(
            N_("Which dialogue? Send {command} to see their numbers."), command=ctx.cmd("dialogues")
        )
    text = ctx.args[index]
    dialogue = await ctx.services.repo(DialogueRepository).get(int(text)) if text.isdigit() else None
    if dialogue is None:
        raise UserFacingError(N_("There is no dialogue {id}."), id=text)
    return dialogue


def _raw_words(ctx: Ctx, count: int) -> list[str]:
    """The first ``count - 1`` words of the arguments, then the rest as typed (free text)."""
    raw = ctx.command.raw_args if ctx.command else ""
    words = raw.split(None, count - 1)
    if len(words) < count:
        raise usage_error(ctx)
    return words


def ensure_editable(dialogue: Dialogue) -> None:
    """Refuse, localized, to change a dialogue that is closed or cancelled."""
    if dialogue.status not in _PLANNED:
        raise UserFacingError(
            N_("Dialogue {id} is closed or cancelled: it cannot change any more."), id=dialogue.id
        )


def reschedule(ctx: Ctx) -> None:
    """Set the dialogue timers anew once this change is committed (if they run: not in some tests)."""
    timers = ctx.services.shared.find(DialogueTimers)
    if timers is not None:
        ctx.after_commit(timers.rebuild)
