"""``/wiki_add``: a moderator writes a new wiki entry by answering one question at a time.

The questions are a :class:`~bot.forms.Form` declared in :mod:`handlers.wiki.form`,
asked by the one form flow (:mod:`bot.forms.flow`) like the application form. What only
the wiki knows is declared here as the flow's hooks: a slug is well formed and free (and
one is suggested from the title), a deadline only concerns opportunities, and Submit
puts the entry through the wiki repository (search index and "did you mean" vocabulary
at once) with an audit entry. The draft is kept in ``bot_state`` (one row per
moderator) in the event's transaction, so a restart loses nothing: ``/wiki_add``
continues where it was.

The hooks and helpers without a leading underscore are shared with ``/wiki_suggest``
(:mod:`handlers.wiki.suggest`), which asks the same questions by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Role
from bot.forms import Accepted, Form, Rejected, Step
from bot.forms.countries import fold
from bot.forms.flow import FormFlow, FormTexts, Reopen
from bot.forms.prompts import Suggestion
from bot.services import Ctx
from handlers.wiki.form import FORM, applicable
from handlers.wiki.reading import problem_text
from storage.drafts import StateDrafts
from storage.wiki.data import SLUG, WikiEntryData, field_problems
from storage.wiki.repository import WikiRepository
from storage.wiki.suggestions import SUGGESTION_FORM

router = Router("wiki_add")

BUTTONS = "wikiadd"


@router.command(
    "wiki_add",
    role=Role.MODERATOR,
    description=N_("Add an entry to the wiki, step by step"),
    where=Where.DIRECT,
    topic=Topic.WIKI,
)
async def wiki_add(ctx: Ctx) -> None:
    if not ctx.event.is_direct:
        ctx.reply(ctx._(N_("I have sent you a direct message to continue there.")))
    draft = await WIKI_ADD_FLOW.load(ctx)
    if draft is None and await busy_with(ctx, SUGGESTION_FORM, "wiki_suggest"):
        return
    if draft is None:
        draft = await drafts(ctx).save(person_of(ctx), WIKI_ADD_FLOW.name, {}, {})
        intro = ctx._(
            N_(
                "Let us write a new wiki entry. Answer each question in turn; the buttons under "
                "a question take you back, skip an optional question or cancel. You can pause "
                "and continue later with {command}."
            ),
            command=code(ctx.cmd("wiki_add")),
        )
    else:
        intro = ctx._(N_("Welcome back! Let us continue where you left off."))
    await WIKI_ADD_FLOW.show(ctx, draft, [intro])


async def busy_with(ctx: Ctx, other: str, command: str) -> bool:
    """Whether the actor is writing an entry with the other wiki form (tells them so).

    Plain answers in a direct chat go to one form only, so a person writes one entry at a
    time: ``/wiki_add`` and ``/wiki_suggest`` ask the same questions.

    Args:
        ctx: the event's context.
        other: the other form's draft name.
        command: the command that continues it.
    """
    if await drafts(ctx).load(person_of(ctx), other) is None:
        return False
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("You are already writing an entry with {command}: finish it or cancel it first."),
            command=code(ctx.cmd(command)),
        ),
    )
    return True


# -- the wiki's own rules ---------------------------------------------------------------


async def check_slug(ctx: Ctx, step: Step, answer: Accepted) -> Accepted | Rejected:
    """A slug must be well formed and free."""
    if step.field != "slug":
        return answer
    slug = str(answer.value).strip().lower()
    if not SLUG.fullmatch(slug):
        return Rejected(
            N_(
                "A slug is lower case letters, digits and single hyphens between them, such as "
                "gender-budgeting-guide."
            )
        )
    if await ctx.services.repo(WikiRepository).get(slug) is not None:
        return Rejected(
            N_("There is already an entry {slug}: please choose another slug."), {"slug": code(slug)}
        )
    return Accepted(slug)


async def suggest_slug(ctx: Ctx, step: Step, answers: Mapping[str, Any]) -> Suggestion | None:
    """For the slug, a free one made of the title's words, if there is a title."""
    if step.field != "slug":
        return None
    title = answers.get("title")
    base = "-".join(fold(str(title or "")).encode("ascii", "ignore").decode().split())[:60].strip("-")
    if not base or not SLUG.fullmatch(base):
        return None
    for number in range(1, 10):
        candidate = base if number == 1 else f"{base}-{number}"
        if await ctx.services.repo(WikiRepository).get(candidate) is None:
            note = ctx._(N_("Suggestion: {slug}"), slug=code(candidate))
            return Suggestion(candidate, note, str(ctx._(N_("Use {slug}"), slug=candidate)))
    return None


# -- the form ---------------------------------------------------------------------------


async def _submit(ctx: Ctx, answers: dict[str, Any]) -> Reopen | None:
    """Add the entry, unless its slug was taken since it was typed."""
    slug = str(answers["slug"])
    if await ctx.services.repo(WikiRepository).get(slug) is not None:
        note = ctx._(N_("There is already an entry {slug}: please choose another slug."), slug=code(slug))
        return Reopen("slug", note)
    data = entry_data(ctx, answers, N_("The entry was not added. {problem}"))
    now = ctx.services.now()
    entry, _created = await ctx.services.repo(WikiRepository).upsert(data, now)
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="wiki.add",
        target=entry.slug,
        details={"title": entry.title, "kind": entry.kind},
    )
    await drafts(ctx).discard(person_of(ctx), WIKI_ADD_FLOW.name)
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("Added {title} to the wiki. Read it with {command}."),
            title=bold(entry.title),
            command=code(f"{ctx.cmd('wiki')} {entry.slug}"),
        ),
    )
    return None


def entry_data(ctx: Ctx, answers: Mapping[str, Any], failed: str) -> WikiEntryData:
    """The entry the form's answers describe, validated like an import.

    Args:
        ctx: the event's context.
        answers: the form's answers.
        failed: the msgid said when they are not a valid entry, with ``{problem}``.

    Raises:
        UserFacingError: ``failed``, with what is wrong.
    """
    fields = {step.field: answers[step.field] for step in applicable(answers)}
    try:
        return WikiEntryData.model_validate({**fields, "tags": fields.get("tags") or ()})
    except ValidationError as error:
        problems = [problem_text(ctx, problem) for problem in field_problems(error)]
        raise UserFacingError(failed, problem=Text.join(" ", problems)) from None


async def _cancelled(ctx: Ctx) -> None:
    ctx.send(ctx.event.sender, ctx._(N_("The new entry was discarded.")))


def _missing(ctx: Ctx) -> UserFacingError:
    return UserFacingError(
        N_("You are not writing a wiki entry. Send {command} to start one."),
        command=code(ctx.cmd("wiki_add")),
    )


def drafts(ctx: Ctx) -> StateDrafts:
    """Where both wiki forms keep their drafts: ``bot_state``."""
    return StateDrafts(ctx.services.state, ctx.services.now)


def person_of(ctx: Ctx) -> int:
    """The actor's person id."""
    if ctx.actor.person_id is None:  # identity middleware always resolves; defensive
        raise RuntimeError("the actor has no person")
    return ctx.actor.person_id


def steps_of(form: Form, answers: Mapping[str, Any]) -> tuple[Step, ...]:
    """The steps that apply (the flow's ``applicable`` hook)."""
    return applicable(answers)


#: ``/wiki_add``'s form as the form flow drives it.
WIKI_ADD_FLOW = FormFlow(
    name="wiki.add",
    buttons=BUTTONS,
    form=lambda ctx: FORM,
    drafts=drafts,
    texts=FormTexts(
        summary=N_("Please check the new entry. Press a field to change it, or Add to the wiki to save it."),
        submit=N_("Add to the wiki"),
        optional=N_("This question is optional."),
        discard=N_("Do you really want to discard this entry and all its answers?"),
    ),
    submit=_submit,
    cancelled=_cancelled,
    missing=_missing,
    role=Role.MODERATOR,
    applicable=steps_of,
    check=check_slug,
    suggest=suggest_slug,
)
router.include(WIKI_ADD_FLOW.router())
