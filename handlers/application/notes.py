"""A moderator's note to an applicant, written deliberately: a rejection reason or a question.

Pressing Reject or Ask for more information (or ``/reject <id>``, ``/ask <id>`` without a
text) asks *that* moderator, in *that* chat, for the text; their next plain message there
is shown back to them with Send / Edit / Keep waiting, and only Send reaches the
applicant. Another moderator's messages in a shared moderators' chat are never taken,
because the note is keyed by chat and person.

The note is kept durably in ``bot_state`` (a restart loses nothing) and lapses after
:data:`NOTE_LIFETIME`, or as soon as its writer sends any command in that chat: a
message typed much later ("ok, let me look at her CV first") must never become the text
an applicant reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from bot.core.commands import parse_command
from bot.core.context import Context
from bot.core.i18n import N_
from bot.core.middleware import Next
from bot.core.router import Router
from bot.core.types import Button, Role
from bot.services import Ctx
from handlers.application.common import REVIEW_BUTTONS

router = Router("review.notes")

#: How long a started note waits for its text and its Send.
NOTE_LIFETIME = timedelta(minutes=10)
#: The two kinds of note.
REJECT = "reject"
ASK = "ask"

# What the moderator is told, per kind of note: asked for the text, shown it back, and
# told it lapsed because of a command.
_WRITE = {
    REJECT: N_(
        "Write the reason for rejecting application #{id} in your next message here; the applicant "
        "will read it. I will show it to you before anything is sent. This lapses after 10 minutes "
        "or when you send a command."
    ),
    ASK: N_(
        "Write your question about application #{id} in your next message here; the applicant will "
        "read it and can then change their answers. I will show it to you before anything is sent. "
        "This lapses after 10 minutes or when you send a command."
    ),
}
_SHOW = {
    REJECT: N_("The applicant of application #{id} will read this reason for the rejection:\n\n{text}"),
    ASK: N_("The applicant of application #{id} will read this question:\n\n{text}"),
}
_LAPSED = {
    REJECT: N_(
        "You sent a command, so your reason for rejecting application #{id} was not sent; "
        "the application is still waiting for a decision."
    ),
    ASK: N_(
        "You sent a command, so your question about application #{id} was not sent; "
        "the application is still waiting for a decision."
    ),
}


@dataclass(frozen=True, slots=True)
class PendingNote:
    """A note a moderator started in one chat.

    Attributes:
        application_id: the application it is about.
        kind: :data:`REJECT` or :data:`ASK`.
        text: the text written, once written (``None``: still waiting for it).
        since: when it was started or last changed (it lapses :data:`NOTE_LIFETIME` later).
    """

    application_id: int
    kind: str
    text: str | None
    since: datetime

    def lapsed(self, now: datetime) -> bool:
        """Whether the note is too old to be used."""
        return now - self.since >= NOTE_LIFETIME

    def stored(self) -> dict[str, Any]:
        return {
            "application": self.application_id,
            "kind": self.kind,
            "text": self.text,
            "since": self.since.isoformat(),
        }

    @classmethod
    def of(cls, value: Any) -> PendingNote | None:
        if not isinstance(value, dict) or value.get("kind") not in _WRITE:
            return None
        return cls(
            int(value["application"]),
            value["kind"],
            value.get("text"),
            datetime.fromisoformat(value["since"]),
        )


def _key(ctx: Ctx) -> str:
    """Where the actor's note in this chat is kept: per platform, chat, thread and person."""
    event = ctx.event
    where = f"{event.platform}|{event.chat.id}|{event.chat.thread_id or ''}|{event.sender.id}"
    return f"review.note:{hashlib.sha256(where.encode()).hexdigest()[:32]}"


async def pending(ctx: Ctx) -> PendingNote | None:
    """The actor's note in this chat, if one is started and has not lapsed."""
    note = PendingNote.of(await ctx.services.state.get(_key(ctx)))
    return None if note is None or note.lapsed(ctx.services.now()) else note


async def drop(ctx: Ctx) -> PendingNote | None:
    """Forget the actor's note in this chat; returns it if it was still usable."""
    note = PendingNote.of(await ctx.services.state.pop(_key(ctx)))
    return None if note is None or note.lapsed(ctx.services.now()) else note


async def ask_for_text(ctx: Ctx, application_id: int, kind: str) -> None:
    """Start a note: ask the moderator for its text, in this chat."""
    now = ctx.services.now()
    await ctx.services.state.set(_key(ctx), PendingNote(application_id, kind, None, now).stored(), now)
    ctx.reply(
        ctx._(_WRITE[kind], id=application_id),
        buttons=[[Button(ctx.gettext(N_("Keep waiting")), f"{REVIEW_BUTTONS}:k:{application_id}")]],
    )


async def show_back(ctx: Ctx, application_id: int, kind: str, text: str) -> None:
    """Keep the note's text and show it to its writer with Send / Edit / Keep waiting."""
    now = ctx.services.now()
    await ctx.services.state.set(_key(ctx), PendingNote(application_id, kind, text, now).stored(), now)
    ctx.reply(
        ctx._(_SHOW[kind], id=application_id, text=text),
        buttons=[
            [
                Button(ctx.gettext(N_("Send")), f"{REVIEW_BUTTONS}:S:{application_id}"),
                Button(ctx.gettext(N_("Edit")), f"{REVIEW_BUTTONS}:E:{application_id}"),
                Button(ctx.gettext(N_("Keep waiting")), f"{REVIEW_BUTTONS}:k:{application_id}"),
            ]
        ],
    )


async def _writing(ctx: Ctx) -> bool:
    """Whether this plain message is the text of a note its sender started here."""
    message = ctx.message
    if message is None or message.edited or not message.text or not ctx.actor.has(Role.MODERATOR):
        return False
    note = await pending(ctx)
    return note is not None and note.text is None


@router.message(filter=_writing, role=Role.MODERATOR)
async def note_text(ctx: Ctx) -> None:
    note = await pending(ctx)
    text = ctx.message.text.strip() if ctx.message and ctx.message.text else ""
    if note is not None and text:
        await show_back(ctx, note.application_id, note.kind, text)


class NoteLapsesOnCommand:
    """Middleware: any command from a moderator drops the note they started in that chat.

    Only moderators can start notes, so other people's commands cost nothing.
    """

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        message = ctx.message
        if (
            message is not None
            and message.text
            and ctx.actor.has(Role.MODERATOR)
            and parse_command(message.text) is not None
        ):
            review = cast(Ctx, ctx)
            note = await drop(review)
            if note is not None:
                review.reply(review._(_LAPSED[note.kind], id=note.application_id))
        await call_next(ctx)
