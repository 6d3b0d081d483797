"""``/wiki_suggest``: a member suggests a wiki entry, answering the questions of ``/wiki_add``.

Adding and editing stay with moderators (issue 16). A member's entry goes through the
same steps (:mod:`handlers.wiki.form`) and the same rules (a free, well-formed slug, a
deadline for opportunities only) as ``/wiki_add``: the flow below is a second
declaration of the one form engine with another Submit, which stores a suggestion
(:mod:`storage.wiki.suggestions`) instead of an entry and sends the moderators its
review card (:mod:`handlers.wiki.suggestions`). The draft is kept in ``bot_state``.
"""

from __future__ import annotations

from typing import Any

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import bold, code
from bot.core.types import Role
from bot.forms.flow import FormFlow, FormTexts, Reopen
from bot.services import Ctx
from handlers.wiki.add import (
    WIKI_ADD_FLOW,
    busy_with,
    check_slug,
    drafts,
    entry_data,
    person_of,
    steps_of,
    suggest_slug,
)
from handlers.wiki.form import FORM
from handlers.wiki.suggestions import notify_reviewers
from storage.wiki.repository import WikiRepository
from storage.wiki.suggestions import SUGGESTION_FORM, WikiSuggestions

router = Router("wiki_suggest")

BUTTONS = "wikisug"


@router.command(
    "wiki_suggest",
    role=Role.MEMBER,
    description=N_("Suggest an entry for the wiki, step by step"),
    where=Where.DIRECT,
    topic=Topic.WIKI,
)
async def wiki_suggest(ctx: Ctx) -> None:
    if not ctx.event.is_direct:
        ctx.reply(ctx._(N_("I have sent you a direct message to continue there.")))
    draft = await WIKI_SUGGEST_FLOW.load(ctx)
    if draft is None and await busy_with(ctx, WIKI_ADD_FLOW.name, "wiki_add"):
        return
    if draft is None:
        draft = await drafts(ctx).save(person_of(ctx), WIKI_SUGGEST_FLOW.name, {}, {})
        intro = ctx._(
            N_(
                "Let us write the wiki entry you suggest; the moderators read it before it goes "
                "into the wiki. Answer each question in turn; the buttons under a question take "
                "you back, skip an optional question or cancel. You can pause and continue later "
                "with {command}."
            ),
            command=code(ctx.cmd("wiki_suggest")),
        )
    else:
        intro = ctx._(N_("Welcome back! Let us continue where you left off."))
    await WIKI_SUGGEST_FLOW.show(ctx, draft, [intro])


async def _submit(ctx: Ctx, answers: dict[str, Any]) -> Reopen | None:
    """Store the suggestion and send it to the moderators, unless its slug was taken meanwhile."""
    slug = str(answers["slug"])
    if await ctx.services.repo(WikiRepository).get(slug) is not None:
        note = ctx._(N_("There is already an entry {slug}: please choose another slug."), slug=code(slug))
        return Reopen("slug", note)
    data = entry_data(ctx, answers, N_("The suggestion was not sent. {problem}"))
    now, person = ctx.services.now(), person_of(ctx)
    sender = ctx.event.sender
    suggestion = await ctx.services.repo(WikiSuggestions).add(
        person, (sender.platform, sender.id), data.model_dump(mode="json"), now
    )
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="wiki.suggest",
        target=f"wiki_suggestion:{suggestion.id}",
    )
    await drafts(ctx).discard(person, WIKI_SUGGEST_FLOW.name)
    await notify_reviewers(ctx, suggestion)
    ctx.send(
        sender,
        ctx._(
            N_(
                "Thank you! Your suggestion {title} was sent to the moderators for review "
                "(suggestion #{id}). I will tell you when they have decided."
            ),
            title=bold(data.title),
            id=suggestion.id,
        ),
    )
    return None


async def _cancelled(ctx: Ctx) -> None:
    ctx.send(ctx.event.sender, ctx._(N_("Your suggestion was discarded.")))


def _missing(ctx: Ctx) -> UserFacingError:
    return UserFacingError(
        N_("You are not writing a wiki suggestion. Send {command} to start one."),
        command=code(ctx.cmd("wiki_suggest")),
    )


#: ``/wiki_suggest``'s form: the steps and rules of ``/wiki_add``, another Submit.
WIKI_SUGGEST_FLOW = FormFlow(
    name=SUGGESTION_FORM,
    buttons=BUTTONS,
    form=lambda ctx: FORM,
    drafts=drafts,
    texts=FormTexts(
        summary=N_(
            "Please check your suggestion. Press a field to change it, or Send to the moderators to submit it."
        ),
        submit=N_("Send to the moderators"),
        optional=N_("This question is optional."),
        discard=N_("Do you really want to discard this suggestion and all its answers?"),
    ),
    submit=_submit,
    cancelled=_cancelled,
    missing=_missing,
    role=Role.MEMBER,
    applicable=steps_of,
    check=check_slug,
    suggest=suggest_slug,
)
router.include(WIKI_SUGGEST_FLOW.router())
