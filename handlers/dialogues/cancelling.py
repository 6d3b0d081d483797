"""Cancelling a dialogue, deliberately: ``/dialogue_cancel`` asks first, and tells the members.

A cancelled dialogue cannot be reopened, so the command only asks, with "Cancel the
dialogue" / "Keep it" buttons (:class:`~bot.forms.confirmation.Confirmation`: only the
moderator who asked, once, within the hour). On confirmation nothing more of the dialogue
is posted, and each thread a prompt was posted in (a Telegram topic, a Matrix thread, a
console thread) gets a short note saying the dialogue was cancelled before it is closed.
"""

from __future__ import annotations

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, fill
from bot.core.types import Role
from bot.forms.confirmation import Confirmation
from bot.services import Ctx
from handlers.dialogues.commands import audit, dialogue_in_args, ensure_editable, reschedule
from handlers.dialogues.posting import close_threads, title_of
from storage.dialogues.repository import DialogueRepository
from storage.models import Dialogue

router = Router("dialogue_cancel")

CANCELLATION = Confirmation("dialogue_cancel")


@router.command(
    "dialogue_cancel",
    role=Role.MODERATOR,
    description=N_("Cancel a planned dialogue"),
    usage=N_("<id>"),
    topic=Topic.DIALOGUES,
)
async def cancel_dialogue(ctx: Ctx) -> None:
    dialogue = await dialogue_in_args(ctx, 0)
    ensure_editable(dialogue)
    await CANCELLATION.ask(
        ctx,
        ctx._(
            N_(
                "Cancel dialogue {id} {title}? Nothing more of it will be posted, and its threads will be closed with a note to the members in them."
            ),
            id=dialogue.id,
            title=bold(title_of(dialogue, ctx.actor.locale)),
        ),
        {"dialogue": dialogue.id},
        confirm=ctx.gettext(N_("Cancel the dialogue")),
        cancel=ctx.gettext(N_("Keep it")),
    )


@router.button(CANCELLATION.namespace, role=Role.MODERATOR)
async def cancellation_answer(ctx: Ctx) -> None:
    answer = await CANCELLATION.answer(ctx)
    if answer is None:
        return
    repo = ctx.services.repo(DialogueRepository)
    number = int(answer.action["dialogue"])
    dialogue = await repo.get(number)
    if dialogue is None:
        raise UserFacingError(N_("There is no dialogue {id}."), id=number)
    if not answer.confirmed:
        ctx.reply(ctx._(N_("Dialogue {id} is kept as it is."), id=dialogue.id))
        return
    ensure_editable(dialogue)  # it may have closed since the question
    if not await repo.transition(dialogue.id, dialogue.status, "cancelled"):
        raise UserFacingError(N_("Dialogue {id} has changed meanwhile; try again."), id=dialogue.id)
    await audit(ctx, "dialogue.cancel", f"dialogue:{dialogue.id}")
    ctx.reply(ctx._(N_("Dialogue {id} is cancelled; nothing more of it will be posted."), id=dialogue.id))
    await close_threads(ctx, dialogue.id, notice=_notice(ctx, dialogue))
    reschedule(ctx)


def _notice(ctx: Ctx, dialogue: Dialogue) -> Text:
    """The note left in the dialogue's threads, in the community's language (like the prompts)."""
    catalogs = ctx.services.catalogs
    translator = catalogs.translator(catalogs.default)
    return fill(
        translator.gettext(
            N_(
                "The moderators have cancelled the virtual dialogue {title}; this thread is now closed. Thank you to everyone who took part."
            )
        ),
        {"title": bold(title_of(dialogue, translator.locale))},
    )
