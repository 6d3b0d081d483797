"""The applicant's side: ``/apply`` and the form in a direct chat, ``/status``, ``/terms``.

The form is driven by the one form flow (:mod:`bot.forms.flow`); what only the
application does is declared here as :data:`APPLICATION_FORM_FLOW`'s hooks: Submit closes
the draft as submitted, audits it, thanks the applicant and notifies the reviewers;
Cancel closes it as cancelled and revokes the applicant role. The draft is the
application row itself (:class:`storage.application.drafts.ApplicationDrafts`), written
in the event's transaction before the bot replies; after a restart ``/apply`` or the
next answer continues at the same step.
"""

from __future__ import annotations

from typing import Any

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, code
from bot.core.types import JoinRequest, Role
from bot.forms.flow import FormFlow, FormTexts
from bot.forms.markdown import markdown_text
from bot.services import Ctx
from handlers.application.common import FORM_BUTTONS, admit, answers_of, form_of, terms_text
from handlers.application.revision import (
    REOPEN_BUTTONS,
    is_being_changed,
    previous_answers,
    question_note,
    reopen,
    submitted,
)
from storage.application.draft_cache import Draft, StaleDraft
from storage.application.drafts import ApplicationDrafts
from storage.application.repository import ApplicationAlreadyOpen, ApplicationRepository, Status

router = Router("application")


# -- entry points ---------------------------------------------------------------------


@router.command(
    "apply",
    description=N_("Apply to join the community, or continue your application"),
    where=Where.DIRECT,
    topic=Topic.APPLICATIONS,
)
async def apply(ctx: Ctx) -> None:
    await open_form(ctx)


@router.button(REOPEN_BUTTONS)
async def change_answers(ctx: Ctx) -> None:
    """The button under the moderators' question: open the application to change it."""
    await open_form(ctx)


@router.event(JoinRequest)
async def join_request(ctx: Ctx) -> None:
    """Someone asked to enter the community chat: let members in, ask others to apply."""
    if ctx.actor.has(Role.MEMBER):
        platform, user = ctx.platform, ctx.event.sender
        ctx.after_commit(lambda: admit(platform, user))
        ctx.send(user, ctx._(N_("You are a member of the community: I have let you in.")))
        return
    ctx.send(ctx.event.sender, ctx._(N_("Thank you for your interest in the community of practice!")))
    await open_form(ctx)


async def open_form(ctx: Ctx) -> None:
    """Start the form, resume it, or say why not (already a member, awaiting a decision)."""
    person_id = _person(ctx)
    if not ctx.event.is_direct and not isinstance(ctx.event, JoinRequest):
        ctx.reply(ctx._(N_("I have sent you a direct message to continue there.")))
    if ctx.actor.has(Role.MEMBER):
        ctx.send(ctx.event.sender, ctx._(N_("You are already a member of the community.")))
        return
    repository = ctx.services.repo(ApplicationRepository)
    current = await repository.draft_of(person_id)
    if current is None:
        waiting = await repository.awaiting_decision(person_id)
        if waiting is not None:
            ctx.send(
                ctx.event.sender,
                ctx._(
                    N_("Your application #{id} is waiting for a decision by the moderators."),
                    id=waiting,
                ),
            )
            return
        reopened = await reopen(ctx, person_id)
        if reopened is not None:
            await APPLICATION_FORM_FLOW.show(ctx, reopened[0], [reopened[1]])
            return
        current, intro = await _start(ctx, person_id)
    elif await is_being_changed(ctx, current.id):
        intro = await question_note(ctx, current.id)
    else:
        intro = ctx._(N_("Welcome back! Let us continue where you left off."))
    await APPLICATION_FORM_FLOW.show(ctx, current, [intro])


async def _start(ctx: Ctx, person_id: int) -> tuple[Draft, Text]:
    """A new draft, filled in with the answers of the person's rejected application if any."""
    previous = await previous_answers(ctx, person_id)
    try:
        current = await _drafts(ctx).start(person_id, ctx.event.sender, previous[1] if previous else None)
    except ApplicationAlreadyOpen:  # opened from another chat at the same moment
        raise UserFacingError(
            N_("You have an application open already. Send {apply} to continue it."),
            apply=code(ctx.cmd("apply")),
        ) from None
    await ctx.services.users.grant(person_id, Role.APPLICANT, ctx.services.now())
    if previous is not None:
        return current, ctx._(
            N_(
                "Welcome back! Your answers from application #{id} are filled in. Change what you "
                "want with the buttons below, then press Submit to send them."
            ),
            id=previous[0],
        )
    return current, ctx._(
        N_(
            "Welcome to the application form of the community of practice. Answer each question "
            "in turn; send {back} to return to the previous question, {skip} to leave out an "
            "optional one and {cancel} to stop. You can pause at any time and continue later "
            "with {apply}."
        ),
        back=code(ctx.cmd("back")),
        skip=code(ctx.cmd("skip")),
        cancel=code(ctx.cmd("cancel")),
        apply=code(ctx.cmd("apply")),
    )


# -- the form's hooks -----------------------------------------------------------------


async def _submit(ctx: Ctx, answers: dict[str, Any]) -> None:
    """Send the completed application to the moderators."""
    application = await _draft(ctx)
    now = ctx.services.now()
    await ctx.services.repo(ApplicationRepository).close(application, Status.SUBMITTED, now, answers=answers)
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="application.submit",
        target=f"application:{application.id}",
    )
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_(
                "Thank you! Your application #{id} has been sent to the moderators. I will tell you "
                "their decision here. Send {status} to see where it stands."
            ),
            id=application.id,
            status=code(ctx.cmd("status")),
        ),
    )
    await submitted(ctx, application.id)


async def _cancelled(ctx: Ctx) -> None:
    """The draft was closed as cancelled: the person is no longer an applicant."""
    await ctx.services.users.revoke(_person(ctx), Role.APPLICANT)
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("Your application form has been discarded. Send {apply} whenever you want to start again."),
            apply=code(ctx.cmd("apply")),
        ),
    )


def _missing(ctx: Ctx) -> UserFacingError:
    return UserFacingError(
        N_("You have no application form in progress. Send {apply} to start one."),
        apply=code(ctx.cmd("apply")),
    )


def _drafts(ctx: Ctx) -> ApplicationDrafts:
    return ApplicationDrafts(ctx.services.repo(ApplicationRepository), ctx.services.now, ctx.after_commit)


def _applicant(ctx: Ctx) -> bool:
    # granted with the form, revoked when it ends: a moderator's plain messages are not answers
    return ctx.actor.role == Role.APPLICANT


def _document(ctx: Ctx, name: str) -> Text:
    return markdown_text(terms_text(ctx, ctx.actor.locale)) if name == "terms" else Text()


#: The application form as the form flow drives it.
APPLICATION_FORM_FLOW = FormFlow(
    name="application",
    buttons=FORM_BUTTONS,
    form=form_of,
    drafts=_drafts,
    texts=FormTexts(
        summary=N_("Please check your answers. Press a field to change it, or Submit to send them."),
        submit=N_("Submit"),
        optional=N_("This question is optional: send {skip} to leave it out."),
        discard=N_("Do you really want to discard your application form and all its answers?"),
        complete=N_("Your answers are complete."),
    ),
    submit=_submit,
    cancelled=_cancelled,
    missing=_missing,
    answers_plain=_applicant,
    document=_document,
    conflicts=(StaleDraft,),
    resume="apply",
)
router.include(APPLICATION_FORM_FLOW.router())


# -- status and terms -----------------------------------------------------------------


@router.command(
    "status", description=N_("Where your application stands"), where=Where.DIRECT, topic=Topic.APPLICATIONS
)
async def status(ctx: Ctx) -> None:
    latest = await ctx.services.repo(ApplicationRepository).latest_of(_person(ctx))
    apply_ = code(ctx.cmd("apply"))
    if latest is None or latest.status in (Status.CANCELLED, Status.EXPIRED):
        if ctx.actor.has(Role.MEMBER):
            ctx.reply(ctx._(N_("You are a member of the community.")))
        else:
            ctx.reply(ctx._(N_("You have no application in progress. Send {apply} to apply."), apply=apply_))
    elif latest.status == Status.DRAFT:
        form = form_of(ctx)
        ctx.reply(
            ctx._(
                N_(
                    "Your application form is not finished: {answered} of {total} questions answered. Send {apply} to continue."
                ),
                answered=len(answers_of(form, latest)),
                total=len(form.steps),
                apply=apply_,
            )
        )
    elif latest.status == Status.SUBMITTED:
        ctx.reply(
            ctx._(
                N_("Your application #{id}, sent on {date}, is waiting for a decision by the moderators."),
                id=latest.id,
                date=latest.submitted_at.date() if latest.submitted_at else "?",
            )
        )
    elif latest.status == Status.NEEDS_CHANGES:
        ctx.reply(
            ctx._(
                N_(
                    "The moderators asked a question about your application #{id}. Send {apply} to "
                    "read it, change your answers and send them again."
                ),
                id=latest.id,
                apply=apply_,
            )
        )
    elif latest.status == Status.APPROVED:
        ctx.reply(ctx._(N_("Your application #{id} was approved. Welcome to the community!"), id=latest.id))
    else:
        ctx.reply(
            ctx._(
                N_(
                    "Your application #{id} was not accepted. The moderators wrote: {reason}\n\nYou can send {apply} to apply again."
                ),
                id=latest.id,
                reason=latest.reason or "",
                apply=apply_,
            )
        )


@router.command(
    "terms", description=N_("Read the Terms of Reference of the community"), topic=Topic.COMMUNITY
)
async def terms(ctx: Ctx) -> None:
    ctx.reply(markdown_text(terms_text(ctx, ctx.actor.locale)))


# -- helpers --------------------------------------------------------------------------


def _person(ctx: Ctx) -> int:
    if ctx.actor.person_id is None:  # identity middleware always resolves; defensive
        raise RuntimeError("the actor has no person")
    return ctx.actor.person_id


async def _draft(ctx: Ctx) -> Draft:
    application = await ctx.services.repo(ApplicationRepository).draft_of(_person(ctx))
    if application is None:
        raise _missing(ctx)
    return application
