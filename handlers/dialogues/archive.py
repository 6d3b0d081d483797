"""The dialogue archive: past dialogues listed, and a closed dialogue's replies read again.

``/dialogues all`` lists every dialogue but drafts, newest first, a page at a time.
``/dialogue <id>`` of a closed dialogue shows each prompt with its reply count and offers
members its replies: paged in the chat, or as an HTML or Markdown document (by direct
message only; asked in a group, the document is sent privately).

The archive reads what is stored: each reply once, on the platform it was written on
(relayed copies are outbox rows, not replies), without those deleted by their author or
erased by ``/forget``. A member's document is the export's own rendering
(:mod:`handlers.dialogues.export`), which holds names and countries, never a handle or a
user id. Replies are members' words, so reading them needs the member role even where
the wiki is open to guests; the prompts and counts stay public, like ``/dialogue``.

Button payloads (namespace ``archive``):

* ``archive:l:<offset>`` — a page of ``/dialogues all``;
* ``archive:r:<dialogue>:<offset>`` — a page of a closed dialogue's replies;
* ``archive:f:<dialogue>:<md|html>`` — the replies as a document.
"""

from __future__ import annotations

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Attachment, Button, Role
from bot.services import Ctx
from handlers.dialogues.export import load_export, render
from handlers.dialogues.numbering import first_words
from handlers.dialogues.posting import prompt_number, title_of
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.texts import localized
from storage.models import Dialogue, Prompt

router = Router("dialogues.archive")

#: Dialogues per page of ``/dialogues all``.
LIST_PAGE = 10
#: Replies per page when read in the chat.
REPLIES_PAGE = 5
#: How many words of a prompt the archive quotes.
PROMPT_WORDS = 8
#: The statuses ``/dialogues all`` lists (drafts are the moderators' own).
LISTED = ("scheduled", "open", "closed", "cancelled")
#: The formats a member may take a closed dialogue in.
DOCUMENTS = ("html", "md")

_STATUS = {
    "scheduled": N_("{id}. {title}: from {start} to {end}"),
    "open": N_("{id}. {title}: open until {end}"),
    "closed": N_("{id}. {title}: {start} to {end}, closed"),
    "cancelled": N_("{id}. {title}: {start} to {end}, cancelled"),
}


async def list_all(ctx: Ctx, offset: int) -> None:
    """Reply with a page of every dialogue but drafts, newest first."""
    dialogues, total = await ctx.services.repo(DialogueRepository).newest(LISTED, offset, LIST_PAGE)
    if not dialogues:
        ctx.reply(ctx._(N_("There is no virtual dialogue yet.")))
        return
    lines = [
        ctx._(
            N_("All virtual dialogues, newest first ({first}–{last} of {total}):"),
            first=offset + 1,
            last=offset + len(dialogues),
            total=total,
        )
    ]
    for dialogue in dialogues:
        lines.append(
            ctx._(
                _STATUS[dialogue.status],
                id=dialogue.id,
                title=bold(title_of(dialogue, ctx.actor.locale)),
                start=dialogue.start_date,
                end=dialogue.end_date,
            )
        )
    lines.append(ctx._(N_("Send {command} to see one."), command=code(ctx.cmd("dialogue") + " <id>")))
    paging = _paging(ctx, "archive:l", offset, LIST_PAGE, total)
    ctx.reply(Text.join("\n", lines), buttons=[paging] if paging else [])


async def show_closed(ctx: Ctx, dialogue: Dialogue, lines: list[Text]) -> None:
    """Reply with a closed dialogue's prompts and reply counts, and offer members its replies.

    Args:
        lines: the heading already written (title, dates, description).
    """
    repo = ctx.services.repo(DialogueRepository)
    prompts = await repo.prompts(dialogue.id)
    counts = await repo.reply_counts([prompt.id for prompt in prompts])
    for prompt in prompts:
        lines.append(
            ctx._(
                N_("Prompt {number}: {text} — replies: {n}"),
                number=bold(prompt_number(prompt)),
                text=first_words(localized(prompt.text, ctx.actor.locale), PROMPT_WORDS),
                n=counts[prompt.id],
            )
        )
    buttons: list[list[Button]] = []
    if not any(counts.values()):
        lines.append(ctx._(N_("This dialogue is closed; nobody replied to it.")))
    elif ctx.actor.has(Role.MEMBER):
        lines.append(ctx._(N_("This dialogue is closed. Read its replies here, or take them as a document:")))
        buttons.append(
            [
                Button(ctx.gettext(N_("Read replies")), f"archive:r:{dialogue.id}:0"),
                Button("HTML", f"archive:f:{dialogue.id}:html"),
                Button("Markdown", f"archive:f:{dialogue.id}:md"),
            ]
        )
    else:
        lines.append(
            ctx._(N_("This dialogue is closed. Its replies are in the archive, which is for members."))
        )
    ctx.reply(Text.join("\n", lines), buttons=buttons)


@router.button("archive", role=Role.GUEST)
async def archive_button(ctx: Ctx) -> None:
    """A page of ``/dialogues all``, of a closed dialogue's replies, or its document."""
    payload = (ctx.message.button if ctx.message else None) or ""
    _, action, *rest = [*payload.split(":"), "", ""]
    if action == "l" and rest[0].isdigit():
        await list_all(ctx, int(rest[0]))
        return
    if not ctx.actor.has(Role.MEMBER):
        raise UserFacingError(N_("Sorry, the replies in the archive are for members only."))
    dialogue = await _closed(ctx, rest[0])
    if action == "r" and rest[1].isdigit():
        await _read(ctx, dialogue, int(rest[1]))
    elif action == "f" and rest[1] in DOCUMENTS:
        await _document(ctx, dialogue, rest[1])
    else:
        raise UserFacingError(
            N_("That button has expired. Send {command} again."),
            command=ctx.cmd("dialogue") + f" {dialogue.id}",
        )


async def _closed(ctx: Ctx, text: str) -> Dialogue:
    """The closed dialogue a button names, or a localized refusal."""
    dialogue = await ctx.services.repo(DialogueRepository).get(int(text)) if text.isdigit() else None
    if dialogue is None:
        raise UserFacingError(N_("There is no dialogue {id}."), id=text)
    if dialogue.status != "closed":
        raise UserFacingError(
            N_("Dialogue {id} is not closed: its replies are read in its threads."), id=dialogue.id
        )
    return dialogue


async def _read(ctx: Ctx, dialogue: Dialogue, offset: int) -> None:
    """Reply with a page of the dialogue's replies, prompt by prompt, with Previous and Next."""
    repo = ctx.services.repo(DialogueRepository)
    prompts = await repo.prompts(dialogue.id)
    replies = await repo.replies([prompt.id for prompt in prompts])
    written = [(prompt, reply) for prompt in prompts for reply in replies[prompt.id]]
    page = written[offset : offset + REPLIES_PAGE]
    if not page:
        raise UserFacingError(N_("There are no more replies."))
    lines = [
        ctx._(
            N_("Replies to {title} ({first}–{last} of {total}):"),
            title=bold(title_of(dialogue, ctx.actor.locale)),
            first=offset + 1,
            last=offset + len(page),
            total=len(written),
        )
    ]
    shown: Prompt | None = None
    for prompt, reply in page:
        if prompt is not shown:
            shown = prompt
            lines.append(
                ctx._(
                    N_("Prompt {number}: {text}"),
                    number=bold(prompt_number(prompt)),
                    text=first_words(localized(prompt.text, ctx.actor.locale), PROMPT_WORDS),
                )
            )
        lines.append(
            ctx._(
                N_("{name} ({platform}, {date}): {text}"),
                name=bold(reply.author or "—"),
                platform=reply.platform,
                date=ctx.datetime(reply.created_at, dialogue.timezone),
                text=reply.text,
            )
        )
    paging = _paging(ctx, f"archive:r:{dialogue.id}", offset, REPLIES_PAGE, len(written))
    ctx.reply(Text.join("\n", lines), buttons=[paging] if paging else [])


async def _document(ctx: Ctx, dialogue: Dialogue, kind: str) -> None:
    """Send the dialogue's replies as a document, by direct message only."""
    if not (ctx.message is not None and ctx.message.is_direct):
        ctx.private = True  # ctx.reply then sends it privately, with a note in the group
    exported = await load_export(ctx.services.repo(DialogueRepository), dialogue.id, ctx.actor.locale)
    data, media_type = render(exported, kind)
    ctx.reply(
        ctx._(N_("The replies of dialogue {id}, {title}:"), id=dialogue.id, title=bold(exported.title)),
        attachments=[Attachment(f"dialogue-{dialogue.id}.{kind}", data, media_type)],
    )


def _paging(ctx: Ctx, prefix: str, offset: int, size: int, total: int) -> list[Button]:
    """◀ Previous and Next ▶ buttons for a page starting at ``offset``, where they lead somewhere."""
    buttons = []
    if offset > 0:
        buttons.append(Button(ctx.gettext(N_("◀ Previous")), f"{prefix}:{max(offset - size, 0)}"))
    if offset + size < total:
        buttons.append(Button(ctx.gettext(N_("Next ▶")), f"{prefix}:{offset + size}"))
    return buttons
