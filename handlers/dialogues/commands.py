"""Virtual dialogues: listing them, and the moderators' commands to plan them.

``/dialogues`` and ``/dialogue <id>`` are for everyone. Moderators create a dialogue
(``/dialogue_new``), add, edit and delete its prompts and export it; cancelling it is
:mod:`handlers.dialogues.cancelling`'s. Dates typed by moderators are in the dialogue's
time zone (the bot's ``timezone`` setting); they are stored in UTC. Posting is :mod:`handlers.dialogues.posting`'s job; replies are
:mod:`handlers.dialogues.replies`'.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Attachment, ChatRef, MessageRef, OutgoingMessage, Role
from bot.services import Ctx
from handlers.dialogues.export import FORMATS, load_export, render
from handlers.dialogues.posting import opening, title_of, usage_error
from handlers.dialogues.timers import DialogueTimers
from storage.dialogues.calendar import closes_at, opens_at
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.texts import localized
from storage.models import Dialogue, Prompt

router = Router("dialogues")

#: Statuses whose prompts may still change.
_PLANNED = ("draft", "scheduled", "open")


@router.command(
    "dialogues", description=N_("The virtual dialogues, open and upcoming"), topic=Topic.DIALOGUES
)
async def list_dialogues(ctx: Ctx) -> None:
    dialogues = await ctx.services.repo(DialogueRepository).listed(("scheduled", "open"))
    if not dialogues:
        ctx.reply(ctx._(N_("No virtual dialogue is open or planned at the moment.")))
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
                start=dialogue.start_date.isoformat(),
                end=dialogue.end_date.isoformat(),
            )
        )
    lines.append(ctx._(N_("Send {command} to see one."), command=code(ctx.cmd("dialogue") + " <id>")))
    ctx.reply(Text.join("\n", lines))


@router.command(
    "dialogue", description=N_("A dialogue's prompts so far"), usage=N_("<id>"), topic=Topic.DIALOGUES
)
async def show_dialogue(ctx: Ctx) -> None:
    dialogue = await dialogue_in_args(ctx, 0)
    now = ctx.services.now()
    prompts = await ctx.services.repo(DialogueRepository).prompts(dialogue.id)
    moderator = ctx.actor.has(Role.MODERATOR)
    shown = [prompt for prompt in prompts if moderator or prompt.post_at <= now]
    lines = [
        ctx._(
            N_("{title} ({start} to {end}, {zone})"),
            title=bold(title_of(dialogue, ctx.actor.locale)),
            start=dialogue.start_date.isoformat(),
            end=dialogue.end_date.isoformat(),
            zone=dialogue.timezone,
        )
    ]
    description = localized(dialogue.description, ctx.actor.locale)
    if description:
        lines.append(Text.of(description))
    for prompt in shown:
        lines.append(
            ctx._(
                N_("Prompt {id} ({when}): {text}"),
                id=prompt.id,
                when=_local(prompt.post_at, dialogue.timezone),
                text=localized(prompt.text, ctx.actor.locale),
            )
        )
    if not shown:
        lines.append(ctx._(N_("No prompt has been posted yet.")))
    else:
        lines.append(
            ctx._(
                N_("Reply in the prompt's thread in the community chat, or privately with {command}."),
                command=code(ctx.cmd("reply") + " <prompt> <text>"),
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
    start, end = _date(start_text), _date(end_text)
    if end < start:
        raise UserFacingError(
            N_("The end {end} is before the start {start}."), start=start.isoformat(), end=end.isoformat()
        )
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
            start=start.isoformat(),
            end=end.isoformat(),
            zone=zone,
            command=code(ctx.cmd("prompt_add") + f" {dialogue.id} <YYYY-MM-DD HH:MM> <text>"),
        )
    )


@router.command(
    "prompt_add",
    role=Role.MODERATOR,
    description=N_("Add a prompt to a dialogue"),
    usage=N_("<dialogue> <YYYY-MM-DD HH:MM> <text>"),
    topic=Topic.DIALOGUES,
)
async def add_prompt(ctx: Ctx) -> None:
    words = _raw_words(ctx, 4)
    dialogue = await dialogue_in_args(ctx, 0)
    ensure_editable(dialogue)
    post_at = _post_time(dialogue, words[1], words[2])
    prompt = await ctx.services.repo(DialogueRepository).add_prompt(
        dialogue.id, {ctx.actor.locale: words[3]}, post_at
    )
    reschedule(ctx)
    ctx.reply(
        ctx._(
            N_("Prompt {id} will be posted on {when} ({zone})."),
            id=prompt.id,
            when=_local(post_at, dialogue.timezone),
            zone=dialogue.timezone,
        )
    )


@router.command(
    "prompt_edit",
    role=Role.MODERATOR,
    description=N_("Change a prompt's text, or its time"),
    usage=N_("<prompt> <text> | <prompt> <YYYY-MM-DD HH:MM>"),
    topic=Topic.DIALOGUES,
)
async def edit_prompt(ctx: Ctx) -> None:
    words = _raw_words(ctx, 2)
    prompt, dialogue = await _prompt(ctx, words[0])
    ensure_editable(dialogue)
    parts = words[1].split()
    if len(parts) == 2 and _looks_like_date(parts[0]):
        if await ctx.services.repo(DialogueRepository).posts([prompt.id]):
            raise UserFacingError(N_("Prompt {id} is already posted; its time cannot change."), id=prompt.id)
        prompt.post_at = _post_time(dialogue, parts[0], parts[1])
    else:
        prompt.text = {**prompt.text, ctx.actor.locale: words[1]}
        await _update_posted(ctx, dialogue, prompt)
    reschedule(ctx)
    ctx.reply(
        ctx._(
            N_("Prompt {id} changed; it is posted on {when} ({zone})."),
            id=prompt.id,
            when=_local(prompt.post_at, dialogue.timezone),
            zone=dialogue.timezone,
        )
    )


@router.command(
    "prompt_delete",
    role=Role.MODERATOR,
    description=N_("Delete a prompt"),
    usage=N_("<prompt>"),
    topic=Topic.DIALOGUES,
)
async def delete_prompt(ctx: Ctx) -> None:
    if not ctx.args:
        raise usage_error(ctx)
    prompt, dialogue = await _prompt(ctx, ctx.args[0])
    ensure_editable(dialogue)
    if await ctx.services.repo(DialogueRepository).posts([prompt.id]):
        raise UserFacingError(N_("Prompt {id} is already posted; it cannot be deleted."), id=prompt.id)
    await ctx.services.repo(DialogueRepository).delete_prompt(prompt.id)
    await audit(ctx, "dialogue.prompt_delete", f"prompt:{prompt.id}", {"text": prompt.text})
    reschedule(ctx)
    ctx.reply(ctx._(N_("Prompt {id} deleted."), id=prompt.id))


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


async def _prompt(ctx: Ctx, text: str) -> tuple[Prompt, Dialogue]:
    repo = ctx.services.repo(DialogueRepository)
    prompt = await repo.prompt(int(text)) if text.isdigit() else None
    dialogue = await repo.get(prompt.dialogue_id) if prompt is not None else None
    if prompt is None or dialogue is None:
        raise UserFacingError(N_("There is no prompt {id}."), id=text)
    return prompt, dialogue


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


def _looks_like_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text) if _looks_like_date(text) else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> date:
    raise UserFacingError(N_("{text} is not a date like 2026-09-22."), text=text)


def _post_time(dialogue: Dialogue, day_text: str, time_text: str) -> datetime:
    """A moderator's local date and time in the dialogue's zone, checked and in UTC."""
    local = None
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):  # seconds are optional
        try:
            local = datetime.strptime(f"{day_text} {time_text}", layout)
            break
        except ValueError:
            continue
    if local is None:
        raise UserFacingError(
            N_("{text} is not a date and time like 2026-09-22 09:00."), text=f"{day_text} {time_text}"
        )
    zone = ZoneInfo(dialogue.timezone)
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:  # a time skipped by a DST change
        raise UserFacingError(
            N_("{text} does not exist in {zone} (the clocks change)."),
            text=f"{day_text} {time_text}",
            zone=dialogue.timezone,
        )
    if not opens_at(dialogue) <= moment < closes_at(dialogue):
        raise UserFacingError(
            N_("{when} is outside the dialogue's dates ({start} to {end})."),
            when=f"{day_text} {time_text}",
            start=dialogue.start_date.isoformat(),
            end=dialogue.end_date.isoformat(),
        )
    return moment


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def reschedule(ctx: Ctx) -> None:
    """Set the dialogue timers anew once this change is committed (if they run: not in some tests)."""
    timers = ctx.services.shared.find(DialogueTimers)
    if timers is not None:
        ctx.after_commit(timers.rebuild)
