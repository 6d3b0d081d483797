"""The one conversation that fills in a form: ask, validate, back, skip, edit, submit, cancel.

Every form of the bot (the membership application, the wiki's ``/wiki_add``) is a
:class:`FormFlow`: a declaration (the :class:`~bot.forms.steps.Form`, a button namespace,
the texts that differ) plus hooks (what Submit does, what Cancel does, extra checks of an
answer). The driver here is written once, like aiogram's ``SceneWizard`` or PTB's
``ConversationHandler``: the feature never copies it.

The buttons are the same in every form (see :mod:`bot.forms.prompts`); typed ``/back``,
``/skip`` and ``/cancel`` are routed by :func:`bot.forms.controls.controls_router`.

The draft (answers and place) is written through the form's
:class:`~bot.forms.drafts.DraftStore` in the event's transaction, before the bot
replies; after a restart the next answer continues at the same step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, code
from bot.core.types import Button, Role
from bot.forms.declaration import CheckHook, FormTexts, Reopen, SubmitHook, SuggestHook, anyone, every_step
from bot.forms.drafts import DraftStore, FormDraft
from bot.forms.prompts import (
    Ctx,
    Place,
    other_question,
    position,
    question,
    rejection,
    summary,
    toggled,
    typed_labels,
)
from bot.forms.steps import (
    NOT_ACCEPTED,
    Accepted,
    Form,
    Rejected,
    Step,
    is_no,
    other_key,
    parse_answer,
)

__all__ = ["FormFlow", "FormTexts", "Reopen"]

#: The draft's progress while the discard question is shown, and while an "other" is asked.
DISCARDING, OTHER = "discarding", "other"


@dataclass(frozen=True, slots=True)
class FormFlow:
    """A form declared for the conversation, and the conversation that drives it.

    Attributes:
        name: the form's name in draft keys (``application``, ``wiki.add``).
        buttons: the namespace of its buttons.
        form: the steps, for this event (a deployment may configure them).
        drafts: the draft store, for this event's unit of work.
        texts: the wording that differs from form to form.
        submit: completes the form with the final answers: stores the result, ends the
            draft, tells the person; returns :class:`Reopen` to send them back to a step.
        cancelled: runs once the person confirmed Cancel and the draft was discarded.
        missing: the error to show when the person has no draft of this form.
        role: the lowest role allowed to use the form.
        answers_plain: whether a plain message in a direct chat is an answer (beyond the
            role and a draft in progress).
        applicable: the steps that apply, given the answers so far.
        check: checks an accepted answer further (a slug is free...).
        suggest: an answer to propose for a step, if any.
        document: the text of a document a step shows (``Step.show_document``).
        conflicts: exceptions of :meth:`DraftStore.save` that mean the draft changed meanwhile.
        resume: the command that shows where the person is in the form (``apply``), if any.
    """

    name: str
    buttons: str
    form: Callable[[Ctx], Form]
    drafts: Callable[[Ctx], DraftStore]
    texts: FormTexts
    submit: SubmitHook
    cancelled: Callable[[Ctx], Awaitable[None]]
    missing: Callable[[Ctx], UserFacingError]
    role: Role = Role.GUEST
    answers_plain: Callable[[Ctx], bool] = anyone
    applicable: Callable[[Form, Mapping[str, Any]], Sequence[Step]] = every_step
    check: CheckHook | None = None
    suggest: SuggestHook | None = None
    document: Callable[[Ctx, str], Text | str] | None = None
    conflicts: tuple[type[Exception], ...] = ()
    resume: str | None = None

    # -- what the feature calls -----------------------------------------------------------

    def router(self) -> Router:
        """The routes of the form: its buttons, and plain messages that answer it."""
        router = Router(f"{self.name}.form")
        router.message(filter=self._answering, role=self.role)(self.answer)
        router.button(self.buttons, role=self.role)(self.press)
        return router

    async def load(self, ctx: Ctx) -> FormDraft | None:
        """The actor's draft of this form, if they are filling it in."""
        if ctx.actor.person_id is None:
            return None
        return await self.drafts(ctx).load(ctx.actor.person_id, self.name)

    async def in_progress(self, ctx: Ctx) -> bool:
        """Whether the actor may use this form and has a draft of it."""
        return ctx.actor.has(self.role) and await self.load(ctx) is not None

    async def show(self, ctx: Ctx, draft: FormDraft, before: Sequence[Text]) -> None:
        """Ask the current question, or show the summary when every step is answered."""
        form, answers, steps, step = self._locate(ctx, draft)
        other = form.step(str(draft.progress.get(OTHER)))
        if other is not None and other.other_chosen(answers.get(other.field)) is not None:
            text, buttons = other_question(
                ctx, self.buttons, Place(steps, other, answers, draft.progress), before
            )
            ctx.send(ctx.event.sender, text, buttons=buttons)
        elif step is None:
            texts = self.texts
            text, buttons = summary(
                ctx,
                self.buttons,
                form,
                steps,
                answers,
                before=before,
                heading=texts.summary,
                submit=texts.submit,
            )
            ctx.send(ctx.event.sender, text, buttons=buttons)
        else:
            await self._ask(ctx, Place(steps, step, answers, draft.progress), before)

    # -- typed controls (see bot.forms.controls) -----------------------------------------

    async def back(self, ctx: Ctx) -> None:
        """Return to the question before the current one (the last one, from the summary)."""
        draft = await self._require(ctx)
        _form, answers, steps, step = self._locate(ctx, draft)
        index = len(steps) if step is None else position(steps, step)
        notes = [ctx._(N_("This is the first question."))] if index == 0 else []
        draft = await self._save(ctx, answers, {"cursor": steps[max(index - 1, 0)].field})
        await self.show(ctx, draft, notes)

    async def skip(self, ctx: Ctx) -> None:
        """Leave out the current question, if it is optional."""
        draft = await self._require(ctx)
        _form, answers, steps, step = self._locate(ctx, draft)
        if step is None:
            await self.show(ctx, draft, [])
        elif step.required:
            note = ctx._(N_("This question must be answered: it cannot be skipped."))
            await self._ask(ctx, Place(steps, step, answers, draft.progress), [note])
        else:
            await self._accept(ctx, answers, step, Accepted(None))

    async def cancel(self, ctx: Ctx) -> None:
        """Ask whether to discard the draft (a typed "no" answers it too, see :meth:`answer`)."""
        draft = await self._require(ctx)
        await self._save(ctx, dict(draft.answers), {**draft.progress, DISCARDING: True})
        ctx.send(
            ctx.event.sender,
            ctx._(self.texts.discard),
            buttons=[
                [
                    Button(ctx.gettext(N_("Yes, discard it")), f"{self.buttons}:x:y"),
                    Button(ctx.gettext(N_("No, continue")), f"{self.buttons}:x:n"),
                ]
            ],
        )

    async def expired(self, ctx: Ctx) -> None:
        """A button that no longer exists was pressed: show where the person is, and how to come back."""
        note = ctx._(N_("That button has expired. Here is where you are in the form."))
        if self.resume is not None:
            note = ctx._(
                N_(
                    "That button has expired. Here is where you are in the form; send {command} to come back to it."
                ),
                command=code(ctx.cmd(self.resume)),
            )
        await self.show(ctx, await self._require(ctx), [note])

    # -- routes ---------------------------------------------------------------------------

    async def _answering(self, ctx: Ctx) -> bool:
        message = ctx.message
        if message is None or not message.is_direct or message.edited or ctx.actor.person_id is None:
            return False
        return ctx.actor.has(self.role) and self.answers_plain(ctx) and await self.load(ctx) is not None

    async def answer(self, ctx: Ctx) -> None:
        """A plain message: the answer to the current question."""
        draft = await self._require(ctx)
        form, answers, steps, step = self._locate(ctx, draft)
        text = ctx.message.text if ctx.message else None
        if draft.progress.get(DISCARDING) and text is not None and is_no(text):
            await self._discard(ctx, draft, "n")  # the discard question's buttons are answered
            return
        other = form.step(str(draft.progress.get(OTHER)))
        if other is not None and text is not None:
            await self._other(ctx, Place(steps, other, answers, draft.progress), text)
            return
        if step is None:
            complete = self.texts.complete
            await self.show(ctx, draft, [ctx._(complete)] if complete else [])
            return
        place = Place(steps, step, answers, draft.progress)
        if text is None:
            await self._ask(ctx, place, [ctx._(N_("I can only read text here."))])
            return
        result = parse_answer(step, text, typed_labels(ctx, step))
        if isinstance(result, Accepted) and self.check is not None:
            result = await self.check(ctx, step, result)
        if isinstance(result, Rejected):
            await self._ask(ctx, place, [rejection(ctx, result)], options=result.options)
            return
        await self._accept(ctx, answers, step, result)

    async def _other(self, ctx: Ctx, place: Place, text: str) -> None:
        """The text typed for the "other" option chosen at ``place.step``."""
        result = parse_answer(Step(field="other", question="", min_length=2, max_length=200), text)
        if isinstance(result, Rejected):
            reply, buttons = other_question(ctx, self.buttons, place, [rejection(ctx, result)])
            ctx.send(ctx.event.sender, reply, buttons=buttons)
            return
        answers = {**place.answers, other_key(place.step.field): result.value}
        await self.show(ctx, await self._save(ctx, answers, {}), [])

    async def press(self, ctx: Ctx) -> None:
        """A button of the form: ``ACTION[:FIELD[:CHOICE]]`` after the namespace."""
        payload = (ctx.message.button if ctx.message else None) or ""
        _namespace, action, *rest = [*payload.split(":"), "", ""]
        draft = await self._require(ctx)
        form, answers, steps, step = self._locate(ctx, draft)
        if action == "x":
            await self._discard(ctx, draft, rest[0])
        elif action == "s":
            await self._submit(ctx, form, steps, draft, answers)
        elif action == "e" and form.step(rest[0]) is not None:
            await self.show(ctx, await self._save(ctx, answers, {"cursor": rest[0]}), [])
        elif action == "b":
            await self.back(ctx)
        elif step is None or rest[0] != step.field:
            await self.show(ctx, draft, [ctx._(N_("That button belongs to another question."))])
        elif action == "k":
            await self.skip(ctx)
        elif action == "c":
            await self._choose(ctx, Place(steps, step, answers, draft.progress), rest[1])
        elif action == "t":
            await self._toggle(ctx, Place(steps, step, answers, draft.progress), rest[1])
        elif action == "d":
            await self._done(ctx, Place(steps, step, answers, draft.progress))
        elif action == "u" and self.suggest is not None:
            suggestion = await self.suggest(ctx, step, answers)
            if suggestion is None:
                await self._ask(ctx, Place(steps, step, answers, draft.progress), [])
            else:
                await self._accept(ctx, answers, step, Accepted(suggestion.value))

    # -- answers and the place ------------------------------------------------------------

    def _locate(self, ctx: Ctx, draft: FormDraft) -> tuple[Form, dict[str, Any], Sequence[Step], Step | None]:
        """The form, the answers it still has, the steps that apply and the step asked (none: the summary)."""
        form = self.form(ctx)
        # answers to steps the form no longer has (a deployment changed it) are dropped
        answers = form.known(draft.answers)
        steps = self.applicable(form, answers)
        cursor = draft.progress.get("cursor")
        chosen = next((step for step in steps if step.field == cursor), None) if cursor else None
        return (
            form,
            answers,
            steps,
            chosen or next((step for step in steps if step.field not in answers), None),
        )

    async def _accept(self, ctx: Ctx, answers: Mapping[str, Any], step: Step, result: Accepted) -> None:
        kept = {key: value for key, value in answers.items() if key != other_key(step.field)}
        other = step.other_chosen(result.value) is not None
        if other and other_key(step.field) in answers:
            kept[other_key(step.field)] = answers[other_key(step.field)]
        draft = await self._save(
            ctx, {**kept, step.field: result.value}, {OTHER: step.field} if other else {}
        )
        notes: list[Text] = []
        if result.truncated:
            notes.append(
                ctx._(
                    N_("Your answer was longer than {limit} characters: I kept the first {limit}."),
                    limit=step.max_length,
                )
            )
        await self.show(ctx, draft, notes)

    async def _choose(self, ctx: Ctx, place: Place, pressed: str) -> None:
        step = place.step
        if step.kind == "consent":
            if pressed == "yes":
                await self._accept(ctx, place.answers, step, Accepted(True))
            else:
                await self._ask(ctx, place, [rejection(ctx, Rejected(NOT_ACCEPTED))])
        elif step.kind == "country":  # a country offered after an ambiguous or misspelt name
            result = parse_answer(step, pressed)
            if isinstance(result, Accepted):
                await self._accept(ctx, place.answers, step, result)
        elif pressed.isdigit() and int(pressed) < len(step.choices):
            await self._accept(ctx, place.answers, step, Accepted(step.choices[int(pressed)].value))

    async def _toggle(self, ctx: Ctx, place: Place, pressed: str) -> None:
        progress = toggled(place, pressed, hidden=DISCARDING)
        if progress is not None:
            await self._save(ctx, dict(place.answers), progress)
            await self._ask(ctx, Place(place.steps, place.step, place.answers, progress), [])

    async def _done(self, ctx: Ctx, place: Place) -> None:
        step, progress = place.step, place.progress
        selection = progress.get("selection")
        if progress.get("selecting") != step.field:
            selection = place.answers.get(step.field)
        chosen = [value for value in (selection or []) if step.choice(value) is not None]
        if chosen:
            await self._accept(ctx, place.answers, step, Accepted(chosen))
        else:
            await self._ask(ctx, place, [ctx._(N_("Choose at least one option, then press Done."))])

    async def _submit(
        self, ctx: Ctx, form: Form, steps: Sequence[Step], draft: FormDraft, answers: dict[str, Any]
    ) -> None:
        if any(step.field not in answers for step in steps):
            await self.show(ctx, draft, [ctx._(N_("Some questions are not answered yet."))])
            return
        reopen = await self.submit(ctx, answers)
        if reopen is not None:
            await self.show(ctx, await self._save(ctx, answers, {"cursor": reopen.field}), [reopen.note])

    async def _discard(self, ctx: Ctx, draft: FormDraft, confirmed: str) -> None:
        if confirmed == "n":
            if draft.progress.get(DISCARDING):
                progress = {key: value for key, value in draft.progress.items() if key != DISCARDING}
                draft = await self._save(ctx, dict(draft.answers), progress)
            await self.show(ctx, draft, [])
        elif confirmed == "y":
            await self.drafts(ctx).discard(self._person(ctx), self.name)
            await self.cancelled(ctx)
        else:
            await self.cancel(ctx)

    # -- what is sent ---------------------------------------------------------------------

    async def _ask(self, ctx: Ctx, place: Place, before: Sequence[Text], options: Sequence[str] = ()) -> None:
        step = place.step
        document = None
        if step.show_document is not None and self.document is not None:
            document = self.document(ctx, step.show_document)
        suggestion = await self.suggest(ctx, step, place.answers) if self.suggest is not None else None
        text, buttons = question(
            ctx,
            self.buttons,
            place,
            before=before,
            document=document,
            suggestion=suggestion,
            optional=self.texts.optional,
            options=options,
        )
        ctx.send(ctx.event.sender, text, buttons=buttons)

    # -- the draft ------------------------------------------------------------------------

    @staticmethod
    def _person(ctx: Ctx) -> int:
        if ctx.actor.person_id is None:  # identity middleware always resolves; defensive
            raise RuntimeError("the actor has no person")
        return ctx.actor.person_id

    async def _require(self, ctx: Ctx) -> FormDraft:
        draft = await self.load(ctx)
        if draft is None:
            raise self.missing(ctx)
        return draft

    async def _save(self, ctx: Ctx, answers: dict[str, Any], progress: dict[str, Any]) -> FormDraft:
        try:
            return await self.drafts(ctx).save(self._person(ctx), self.name, answers, progress)
        except self.conflicts:
            raise UserFacingError(
                N_("Your form changed in the meantime: please send your answer again.")
            ) from None
