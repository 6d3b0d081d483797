"""``/wiki_add``: a moderator writes a new wiki entry by answering one question at a time.

The questions are a :class:`~bot.forms.Form` declared in :mod:`handlers.wiki.form`,
asked by the one form flow (:mod:`bot.forms.flow`) like the application form. What only
the wiki knows is declared here as the flow's hooks: a slug is well formed and free (and
one is suggested from the title), a deadline only concerns opportunities, and Submit
puts the entry through the wiki repository (search index and "did you mean" vocabulary
at once) with an audit entry. The draft is kept in ``bot_state`` (one row per
moderator) in the event's transaction, so a restart loses nothing: ``/wiki_add``
continues where it was.
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
    if draft is None:
        draft = await _drafts(ctx).save(_person(ctx), WIKI_ADD_FLOW.name, {}, {})
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


# -- the wiki's own rules ---------------------------------------------------------------


async def _check(ctx: Ctx, step: Step, answer: Accepted) -> Accepted | Rejected:
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


async def _suggest(ctx: Ctx, step: Step, answers: Mapping[str, Any]) -> Suggestion | None:
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
    fields = {step.field: answers[step.field] for step in applicable(answers)}
    try:
        data = WikiEntryData.model_validate({**fields, "tags": fields.get("tags") or ()})
    except ValidationError as error:
        problems = [problem_text(ctx, problem) for problem in field_problems(error)]
        raise UserFacingError(
            N_("The entry was not added. {problem}"), problem=Text.join(" ", problems)
        ) from None
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
    await _drafts(ctx).discard(_person(ctx), WIKI_ADD_FLOW.name)
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("Added {title} to the wiki. Read it with {command}."),
            title=bold(entry.title),
            command=code(f"{ctx.cmd('wiki')} {entry.slug}"),
        ),
    )
    return None


async def _cancelled(ctx: Ctx) -> None:
    ctx.send(ctx.event.sender, ctx._(N_("The new entry was discarded.")))


def _missing(ctx: Ctx) -> UserFacingError:
    return UserFacingError(
        N_("You are not writing a wiki entry. Send {command} to start one."),
        command=code(ctx.cmd("wiki_add")),
    )


def _drafts(ctx: Ctx) -> StateDrafts:
    return StateDrafts(ctx.services.state, ctx.services.now)


def _person(ctx: Ctx) -> int:
    if ctx.actor.person_id is None:  # identity middleware always resolves; defensive
        raise RuntimeError("the actor has no person")
    return ctx.actor.person_id


def _applicable(form: Form, answers: Mapping[str, Any]) -> tuple[Step, ...]:
    return applicable(answers)


#: ``/wiki_add``'s form as the form flow drives it.
WIKI_ADD_FLOW = FormFlow(
    name="wiki.add",
    buttons=BUTTONS,
    form=lambda ctx: FORM,
    drafts=_drafts,
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
    applicable=_applicable,
    check=_check,
    suggest=_suggest,
)
router.include(WIKI_ADD_FLOW.router())
