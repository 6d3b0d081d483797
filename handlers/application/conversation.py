"""The applicant's side: ``/apply`` and the form in a direct chat, ``/status``, ``/terms``.

The form's place (the step asked, the summary being edited, the choices toggled) is
stored with the answers in the event's transaction, before the bot replies; after a
restart ``/apply`` or the next answer continues at the same step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, JoinRequest, Role
from bot.forms import Accepted, Form, Rejected, Step, label_text, parse_answer
from bot.services import Ctx
from handlers.application.common import (
    FORM_BUTTONS,
    admit,
    answers_of,
    form_of,
    show_value,
    summary_lines,
    terms_text,
)
from handlers.application.review import notify_reviewers
from handlers.form_controls import FormControls
from storage.application.repository import (
    ApplicationAlreadyOpen,
    ApplicationRepository,
    Draft,
    DraftCache,
    StaleDraft,
    Status,
)

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
    form = form_of(ctx)
    if current is None:
        now = ctx.services.now()
        try:
            current = await repository.start(person_id, ctx.event.sender, now)
        except ApplicationAlreadyOpen:  # opened from another chat at the same moment
            raise UserFacingError(
                N_("You have an application open already. Send {apply} to continue it."),
                apply=code(ctx.cmd("apply")),
            ) from None
        _remember(ctx, current)
        await ctx.services.users.grant(person_id, Role.APPLICANT, now)
        intro = ctx._(
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
    else:
        intro = ctx._(N_("Welcome back! Let us continue where you left off."))
    await show_place(ctx, form, current, [intro])


# -- answers --------------------------------------------------------------------------


async def _filling_in(ctx: Ctx) -> bool:
    """Whether this plain message is an answer: a direct chat with a form in progress."""
    message = ctx.message
    if message is None or not message.is_direct or message.edited or ctx.actor.person_id is None:
        return False
    if ctx.actor.role != Role.APPLICANT:  # granted with the form, revoked when it ends
        return False
    return await ctx.services.repo(ApplicationRepository).draft_of(ctx.actor.person_id) is not None


@router.message(filter=_filling_in)
async def answer(ctx: Ctx) -> None:
    application = await _draft(ctx)
    form = form_of(ctx)
    answers = answers_of(form, application)
    step = _current(form, application, answers)
    text = ctx.message.text if ctx.message else None
    if step is None:
        await show_place(ctx, form, application, [ctx._(N_("Your answers are complete."))])
        return
    if text is None:
        ask(ctx, form, step, answers, application.progress, [ctx._(N_("I can only read text here."))])
        return
    labels = [label_text(choice.label, ctx.gettext, ctx.actor.locale) for choice in step.choices]
    result = parse_answer(step, text, labels)
    if isinstance(result, Rejected):
        ask(ctx, form, step, answers, application.progress, [ctx._(result.msgid, **result.values)])
        return
    await _accept(ctx, form, application, answers, step, result)


async def _accept(
    ctx: Ctx, form: Form, application: Draft, answers: dict[str, Any], step: Step, result: Accepted
) -> None:
    answers = {**answers, step.field: result.value}
    application = await _save(ctx, application, ctx.services.now(), answers=answers, progress={})
    notes: list[Text] = []
    if result.truncated:
        notes.append(
            ctx._(
                N_("Your answer was longer than {limit} characters: I kept the first {limit}."),
                limit=step.max_length,
            )
        )
    await show_place(ctx, form, application, notes)


async def show_place(ctx: Ctx, form: Form, application: Draft, before: list[Text]) -> None:
    """Ask the current question, or show the summary when every step is answered."""
    answers = answers_of(form, application)
    step = _current(form, application, answers)
    if step is None:
        _summary(ctx, form, answers, before)
    else:
        ask(ctx, form, step, answers, application.progress, before)


def _current(form: Form, application: Draft, answers: dict[str, Any]) -> Step | None:
    cursor = application.progress.get("cursor")
    step = form.step(cursor) if isinstance(cursor, str) else None
    return step or form.first_unanswered(answers)


def ask(
    ctx: Ctx, form: Form, step: Step, answers: dict[str, Any], progress: dict[str, Any], before: list[Text]
) -> None:
    """Send the question of ``step`` (after ``before``), with its buttons."""
    gettext, locale = ctx.gettext, ctx.actor.locale
    parts: list[Text | str] = list(before)
    if step.show_document == "terms":
        parts.append(terms_text(ctx, locale))
    parts.append(
        ctx._(
            N_("Question {number} of {total}: {question}"),
            number=form.index(step.field) + 1,
            total=len(form.steps),
            question=bold(label_text(step.question, gettext, locale)),
        )
    )
    if step.field in answers:
        parts.append(
            ctx._(
                N_("Your current answer: {answer}"),
                answer=show_value(step, answers[step.field], gettext, locale),
            )
        )
    if not step.required:
        parts.append(
            ctx._(N_("This question is optional: send {skip} to leave it out."), skip=code(ctx.cmd("skip")))
        )
    buttons: list[list[Button]] = []
    if step.kind == "multi":
        parts.append(
            ctx._(
                N_("Press every option that applies, then Done. You can also type them, separated by commas.")
            )
        )
        selected = progress.get("selection") if progress.get("selecting") == step.field else None
        chosen = set(selected if isinstance(selected, list) else answers.get(step.field) or [])
        for index, choice in enumerate(step.choices):
            mark = "\u2611 " if choice.value in chosen else "\u2610 "
            label = mark + label_text(choice.label, gettext, locale)
            buttons.append([Button(label, f"{FORM_BUTTONS}:t:{step.field}:{index}")])
        buttons.append([Button(gettext(N_("Done")), f"{FORM_BUTTONS}:d:{step.field}")])
    elif step.kind == "single":
        for index, choice in enumerate(step.choices):
            label = label_text(choice.label, gettext, locale)
            buttons.append([Button(label, f"{FORM_BUTTONS}:c:{step.field}:{index}")])
    elif step.kind == "consent":
        buttons.append(
            [
                Button(gettext(N_("Yes, I accept")), f"{FORM_BUTTONS}:c:{step.field}:yes"),
                Button(gettext(N_("No")), f"{FORM_BUTTONS}:c:{step.field}:no"),
            ]
        )
    ctx.send(ctx.event.sender, Text.join("\n\n", parts), buttons=buttons)


def _summary(ctx: Ctx, form: Form, answers: dict[str, Any], before: list[Text]) -> None:
    gettext, locale = ctx.gettext, ctx.actor.locale
    lines: list[Text] = [
        ctx._(N_("Please check your answers. Press a field to change it, or Submit to send them."))
    ]
    lines.extend(summary_lines(form, answers, gettext, locale))
    buttons = [
        [
            Button(
                "\u270e " + label_text(step.title or step.question, gettext, locale),
                f"{FORM_BUTTONS}:e:{step.field}",
            )
        ]
        for step in form.steps
    ]
    buttons.append([Button(gettext(N_("Submit")), f"{FORM_BUTTONS}:s")])
    ctx.send(ctx.event.sender, Text.join("\n\n", [*before, Text.join("\n", lines)]), buttons=buttons)


# -- buttons --------------------------------------------------------------------------


@router.button(FORM_BUTTONS)
async def form_button(ctx: Ctx) -> None:
    payload = ctx.message.button if ctx.message and ctx.message.button else ""
    _namespace, action, *rest = [*payload.split(":"), ""]
    if action == "x":
        await _confirm_cancel(ctx, rest[0] == "y")
        return
    application = await _draft(ctx)
    form = form_of(ctx)
    answers = answers_of(form, application)
    step = _current(form, application, answers)
    if action == "s":
        await _submit(ctx, form, application, answers)
    elif action == "e" and form.step(rest[0]) is not None:
        application = await _save(
            ctx, application, ctx.services.now(), answers=answers, progress={"cursor": rest[0]}
        )
        await show_place(ctx, form, application, [])
    elif step is None or rest[0] != step.field:
        await show_place(ctx, form, application, [ctx._(N_("That button belongs to another question."))])
    elif action == "c":
        await _choose(ctx, form, application, answers, step, rest[1] if len(rest) > 1 else "")
    elif action == "t":
        await _toggle(ctx, form, application, answers, step, rest[1] if len(rest) > 1 else "")
    elif action == "d":
        selection = application.progress.get("selection")
        if application.progress.get("selecting") != step.field:
            selection = answers.get(step.field)
        chosen = [value for value in (selection or []) if step.choice(value) is not None]
        if not chosen:
            ask(
                ctx,
                form,
                step,
                answers,
                application.progress,
                [ctx._(N_("Choose at least one option, then press Done."))],
            )
            return
        await _accept(ctx, form, application, answers, step, Accepted(chosen))


async def _choose(
    ctx: Ctx, form: Form, application: Draft, answers: dict[str, Any], step: Step, pressed: str
) -> None:
    if step.kind == "consent":
        if pressed == "yes":
            await _accept(ctx, form, application, answers, step, Accepted(True))
        else:
            ask(
                ctx, form, step, answers, application.progress, [ctx._(N_("This must be accepted to go on."))]
            )
        return
    if pressed.isdigit() and int(pressed) < len(step.choices):
        await _accept(ctx, form, application, answers, step, Accepted(step.choices[int(pressed)].value))


async def _toggle(
    ctx: Ctx, form: Form, application: Draft, answers: dict[str, Any], step: Step, pressed: str
) -> None:
    if not pressed.isdigit() or int(pressed) >= len(step.choices):
        return
    progress = dict(application.progress)
    if progress.get("selecting") != step.field:
        progress["selecting"], progress["selection"] = step.field, list(answers.get(step.field) or [])
    value = step.choices[int(pressed)].value
    selection = [v for v in progress["selection"] if v != value]
    if len(selection) == len(progress["selection"]):
        selection.append(value)
    progress["selection"] = selection
    application = await _save(ctx, application, ctx.services.now(), answers=answers, progress=progress)
    ask(ctx, form, step, answers, progress, [])


async def _submit(ctx: Ctx, form: Form, application: Draft, answers: dict[str, Any]) -> None:
    missing = form.first_unanswered(answers)
    if missing is not None:
        await show_place(ctx, form, application, [ctx._(N_("Some questions are not answered yet."))])
        return
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
    submitted = await ctx.services.repo(ApplicationRepository).get(application.id)
    if submitted is not None:
        await notify_reviewers(ctx, form, submitted)


# -- back, skip, cancel ---------------------------------------------------------------


async def back(ctx: Ctx) -> None:
    application = await _draft(ctx)
    form = form_of(ctx)
    answers = answers_of(form, application)
    step = _current(form, application, answers)
    index = len(form.steps) if step is None else form.index(step.field)
    notes: list[Text] = []
    if index == 0:
        notes.append(ctx._(N_("This is the first question.")))
    target = form.steps[max(index - 1, 0)]
    application = await _save(
        ctx, application, ctx.services.now(), answers=answers, progress={"cursor": target.field}
    )
    await show_place(ctx, form, application, notes)


async def skip(ctx: Ctx) -> None:
    application = await _draft(ctx)
    form = form_of(ctx)
    answers = answers_of(form, application)
    step = _current(form, application, answers)
    if step is None:
        await show_place(ctx, form, application, [])
        return
    if step.required:
        ask(
            ctx,
            form,
            step,
            answers,
            application.progress,
            [ctx._(N_("This question must be answered: it cannot be skipped."))],
        )
        return
    await _accept(ctx, form, application, answers, step, Accepted(None))


async def cancel(ctx: Ctx) -> None:
    await _draft(ctx)
    ctx.send(
        ctx.event.sender,
        ctx._(N_("Do you really want to discard your application form and all its answers?")),
        buttons=[
            [
                Button(ctx.gettext(N_("Yes, discard it")), f"{FORM_BUTTONS}:x:y"),
                Button(ctx.gettext(N_("No, continue")), f"{FORM_BUTTONS}:x:n"),
            ]
        ],
    )


async def _confirm_cancel(ctx: Ctx, confirmed: bool) -> None:
    application = await _draft(ctx)
    if not confirmed:
        await show_place(ctx, form_of(ctx), application, [])
        return
    now = ctx.services.now()
    await ctx.services.repo(ApplicationRepository).close(application, Status.CANCELLED, now)
    await ctx.services.users.revoke(application.person_id, Role.APPLICANT)
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("Your application form has been discarded. Send {apply} whenever you want to start again."),
            apply=code(ctx.cmd("apply")),
        ),
    )


async def _in_progress(ctx: Ctx) -> bool:
    person_id = ctx.actor.person_id
    return (
        person_id is not None
        and await ctx.services.repo(ApplicationRepository).draft_of(person_id) is not None
    )


#: What ``/back``, ``/skip`` and ``/cancel`` do here (see :mod:`handlers.form_controls`).
CONTROLS = FormControls(in_progress=_in_progress, back=back, skip=skip, cancel=cancel)


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
                date=f"{latest.submitted_at:%Y-%m-%d}",
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
    ctx.reply(terms_text(ctx, ctx.actor.locale))


# -- helpers --------------------------------------------------------------------------


async def _save(
    ctx: Ctx, draft: Draft, now: datetime, *, answers: dict[str, Any], progress: dict[str, Any]
) -> Draft:
    """Write the form, and remember it once committed (the next answer then reads nothing)."""
    try:
        saved = await ctx.services.repo(ApplicationRepository).save(
            draft, now, answers=answers, progress=progress
        )
    except StaleDraft:
        raise UserFacingError(
            N_("Your form changed in the meantime: please send your answer again.")
        ) from None
    _remember(ctx, saved)
    return saved


def _remember(ctx: Ctx, draft: Draft) -> None:
    """Cache the draft once the transaction committed: the next answer then reads nothing."""
    drafts = ctx.services.shared.get(DraftCache)

    async def remember() -> None:
        drafts.put(draft)

    ctx.after_commit(remember)


def _person(ctx: Ctx) -> int:
    if ctx.actor.person_id is None:  # identity middleware always resolves; defensive
        raise RuntimeError("the actor has no person")
    return ctx.actor.person_id


async def _draft(ctx: Ctx) -> Draft:
    application = await ctx.services.repo(ApplicationRepository).draft_of(_person(ctx))
    if application is None:
        raise UserFacingError(
            N_("You have no application form in progress. Send {apply} to start one."),
            apply=code(ctx.cmd("apply")),
        )
    return application
