"""Ask for more information: an application goes back to its applicant and comes back changed.

The moderator's question (written deliberately, see :mod:`~handlers.application.notes`)
sends a submitted application to status ``needs_changes`` and tells the applicant. Their
``/apply`` (or the button in that message) turns the same row back into their draft, with
every answer kept and no step being asked, so the one form flow
(:data:`~handlers.application.conversation.APPLICATION_FORM_FLOW`) shows the summary with
its Edit buttons; the question is shown above it. Submit sends it to the moderators again
with what changed, field by field, from the answers as they stood when the question was
asked (kept in the application's history).

A rejected applicant who applies again starts the same way: a new draft filled in with
their previous answers, at the summary.
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.text import Text, code
from bot.core.types import Button, UserRef
from bot.services import Ctx
from handlers.application.cards import applicant_name, changes_between, notify_changes, notify_reviewers
from handlers.application.common import answers_of, command, form_of, speaker
from storage.application.draft_cache import Draft
from storage.application.history import ApplicationHistory, Step
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application

#: The namespace of the button in the applicant's "the moderators have a question" message.
REOPEN_BUTTONS = "reapply"


async def send_back(ctx: Ctx, found: Application, question: str) -> bool:
    """Send a submitted application back to its applicant with the moderator's question.

    Returns:
        ``False`` if the application was no longer waiting for a decision (someone acted first).
    """
    now = ctx.services.now()
    if not await ctx.services.repo(ApplicationRepository).request_changes(found.id, now):
        return False
    await ctx.services.repo(ApplicationHistory).record(
        found.id,
        Step.ASKED,
        now,
        by=ctx.actor.person_id,
        by_name=ctx.actor.display_name,
        note=question,
        details={"answers": dict(found.answers)},
    )
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="application.ask",
        target=f"application:{found.id}",
        reason=question,
        details={"person_id": found.person_id},
    )
    user, locale = await applicant_address(ctx, found)
    say, translator = speaker(ctx, locale), ctx.services.catalogs.translator(locale)
    ctx.send(
        user,
        say(
            N_(
                "The moderators have a question about your application #{id}:\n\n{question}\n\n"
                "Press the button below or send {apply} to see your answers, change what is needed "
                "and send them again."
            ),
            id=found.id,
            question=question,
            apply=code(command(ctx, found.platform, "apply")),
        ),
        buttons=[[Button(translator.gettext(N_("Change my answers")), f"{REOPEN_BUTTONS}:{found.id}")]],
    )
    ctx.reply(
        ctx._(
            N_(
                "Application #{id} from {name} went back to them with your question; it comes back "
                "here when they send it again."
            ),
            id=found.id,
            name=applicant_name(found),
        )
    )
    return True


async def applicant_address(ctx: Ctx, found: Application) -> tuple[UserRef, str]:
    """Where the applicant is written to, and in which language."""
    identity = await ctx.services.users.find(found.platform, found.platform_user_id)
    person = await ctx.services.users.person(found.person_id)
    user = identity.ref if identity is not None else UserRef(found.platform, found.platform_user_id)
    return user, ctx.services.catalogs.choose(person.locale if person else None, user.language)


async def reopen(ctx: Ctx, person_id: int) -> tuple[Draft, Text] | None:
    """Make the person's application sent back for changes their draft again, with the question.

    Returns:
        the draft and the note to show above its summary, or ``None`` if no application of
        theirs is waiting for changes.
    """
    repository = ctx.services.repo(ApplicationRepository)
    returned = await repository.returned_to(person_id)
    if returned is None:
        return None
    draft = await repository.reopen(returned, ctx.services.now())
    if draft is None:
        return None
    return draft, await question_note(ctx, draft.id)


async def question_note(ctx: Ctx, application_id: int) -> Text:
    """The moderators' question, above the summary of the application being changed."""
    question = await ctx.services.repo(ApplicationHistory).last_question(application_id)
    return ctx._(
        N_(
            "The moderators asked: {question}\n\nChange the answers that need it with the buttons "
            "below, then press Submit to send your application again."
        ),
        question=question.note if question is not None and question.note else "",
    )


async def is_being_changed(ctx: Ctx, application_id: int) -> bool:
    """Whether the draft is an application the moderators sent back (not yet sent again)."""
    return await ctx.services.repo(ApplicationHistory).pending_question(application_id) is not None


async def previous_answers(ctx: Ctx, person_id: int) -> tuple[int, dict[str, object]] | None:
    """The id and answers of the person's rejected application, if that is their latest."""
    latest = await ctx.services.repo(ApplicationRepository).latest_if(person_id, Status.REJECTED)
    if latest is None:
        return None
    return latest.id, answers_of(form_of(ctx), latest)


async def submitted(ctx: Ctx, application_id: int) -> None:
    """Record a (re)submission in the history and tell the moderators: the card, or what changed."""
    repository = ctx.services.repo(ApplicationRepository)
    application = await repository.get(application_id, fresh=True)  # closed by a statement just now
    if application is None:
        return
    history = ctx.services.repo(ApplicationHistory)
    question = await history.pending_question(application_id)
    now, form = ctx.services.now(), form_of(ctx)
    if question is None:
        await history.record(
            application_id, Step.SUBMITTED, now, by=ctx.actor.person_id, by_name=ctx.actor.display_name
        )
        await notify_reviewers(ctx, form, application)
        return
    before = question.details.get("answers") or {}
    changes = changes_between(form, before, answers_of(form, application))
    await history.record(
        application_id,
        Step.RESUBMITTED,
        now,
        by=ctx.actor.person_id,
        by_name=ctx.actor.display_name,
        details={"changes": changes},
    )
    await notify_changes(ctx, form, application, question, changes)
