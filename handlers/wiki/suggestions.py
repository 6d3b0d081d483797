"""The moderators' side of ``/wiki_suggest``: review cards, ``/wiki_suggestions``, accept, reject.

A new suggestion is sent to the moderators as a card with Accept / Reject buttons, where
applications go (:func:`handlers.application.common.review_recipients`: the moderators'
chat, or each moderator privately on a platform without one), each in its reader's
language. Accept (the button or ``/wiki_accept <id> [slug]``) puts the entry into the
wiki, indexed for search, like ``/wiki_add``; Reject asks for the reason, given with
``/wiki_reject <id> <reason>``. A decision is claimed atomically, audit-logged, and
told to the member in their language.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, Role, UserRef
from bot.forms import Form
from bot.forms.display import summary_lines
from bot.services import Ctx
from handlers.application.cards import moment
from handlers.application.common import Say, command, review_recipients, speaker
from handlers.wiki.form import applicable
from storage.models import WikiSuggestion
from storage.wiki.data import SLUG, WikiEntryData
from storage.wiki.repository import WikiRepository
from storage.wiki.suggestions import SuggestionStatus, WikiSuggestions

router = Router("wiki_suggestions")

#: The namespace of the review card's buttons: ``wikirev:a:<id>`` (accept), ``wikirev:r:<id>``.
REVIEW_BUTTONS = "wikirev"
#: Pending suggestions listed by ``/wiki_suggestions``.
LISTED = 20


async def notify_reviewers(ctx: Ctx, suggestion: WikiSuggestion) -> None:
    """Send the moderators a new suggestion's card with Accept / Reject, in their language."""
    for recipient, locale in await review_recipients(ctx):
        ctx.send(
            recipient,
            card(ctx, suggestion, ctx.actor.display_name, locale, new=True),
            buttons=_buttons(ctx, suggestion, locale),
        )


def card(ctx: Ctx, suggestion: WikiSuggestion, name: str, locale: str, *, new: bool = False) -> Text:
    """The suggestion as a moderator reads it: heading, account, the entry field by field."""
    say = speaker(ctx, locale)
    gettext = ctx.services.catalogs.translator(locale).gettext
    heading = (
        N_("New wiki suggestion #{id} from {name}:") if new else N_("Wiki suggestion #{id} from {name}:")
    )
    answers: dict[str, Any] = dict(suggestion.fields)
    answers["tags"] = ", ".join(answers.get("tags") or []) or None
    form = Form(steps=applicable(answers))
    return Text.join(
        "\n",
        [
            say(heading, id=suggestion.id, name=name),
            say(N_("Account: {account}."), account=f"{suggestion.platform}:{suggestion.platform_user_id}"),
            *summary_lines(form, answers, gettext, locale),
        ],
    )


def _buttons(ctx: Ctx, suggestion: WikiSuggestion, locale: str) -> list[list[Button]]:
    gettext = ctx.services.catalogs.translator(locale).gettext
    return [
        [
            Button(gettext(N_("Accept")), f"{REVIEW_BUTTONS}:a:{suggestion.id}"),
            Button(gettext(N_("Reject")), f"{REVIEW_BUTTONS}:r:{suggestion.id}"),
        ]
    ]


# -- listing and showing --------------------------------------------------------------


@router.command(
    "wiki_suggestions",
    role=Role.MODERATOR,
    description=N_("List the wiki suggestions waiting for a decision, or show one"),
    usage=N_("[id]"),
    topic=Topic.WIKI,
)
async def wiki_suggestions(ctx: Ctx) -> None:
    if ctx.args:
        found = await _requested(ctx, ctx.args)
        buttons = _buttons(ctx, found, ctx.actor.locale) if found.status == SuggestionStatus.PENDING else []
        ctx.reply(card(ctx, found, await _name(ctx, found), ctx.actor.locale), buttons=buttons)
        return
    repository = ctx.services.repo(WikiSuggestions)
    total = await repository.count_pending()
    if total == 0:
        ctx.reply(ctx._(N_("No wiki suggestion is waiting for a decision.")))
        return
    lines: list[Text] = [ctx._(N_("Wiki suggestions waiting for a decision ({count}):"), count=total)]
    for item in await repository.pending(LISTED):
        lines.append(
            ctx._(
                N_("#{id} {title}, from {name}, sent on {date}"),
                id=item.id,
                title=bold(item.title),
                name=await _name(ctx, item),
                date=item.created_at.date(),
            )
        )
    lines.append(ctx._(N_("Send {command} to see one."), command=code(ctx.cmd("wiki_suggestions") + " <id>")))
    ctx.reply(Text.join("\n", lines))


# -- deciding -------------------------------------------------------------------------


@router.command(
    "wiki_accept",
    role=Role.MODERATOR,
    description=N_("Accept a wiki suggestion: it goes into the wiki"),
    usage=N_("<id> [slug]"),
    topic=Topic.WIKI,
)
async def wiki_accept(ctx: Ctx) -> None:
    found = await _requested(ctx, ctx.args)
    await _accept(ctx, found, " ".join(ctx.args[1:]).lower() or None)


@router.command(
    "wiki_reject",
    role=Role.MODERATOR,
    description=N_("Reject a wiki suggestion, with the reason"),
    usage=N_("<id> <reason>"),
    topic=Topic.WIKI,
)
async def wiki_reject(ctx: Ctx) -> None:
    found = await _requested(ctx, ctx.args)
    text = ctx.message.text if ctx.message and ctx.message.text else ""
    parts = text.strip().split(None, 2)
    reason = parts[2].strip() if len(parts) > 2 else ""
    if not reason:
        _ask_for_reason(ctx, found)
        return
    await _reject(ctx, found, reason)


@router.button(REVIEW_BUTTONS, role=Role.MODERATOR)
async def review_button(ctx: Ctx) -> None:
    payload = ctx.message.button if ctx.message and ctx.message.button else ""
    _namespace, action, argument = [*payload.split(":"), "", ""][:3]
    found = await _requested(ctx, (argument,))
    if action == "a":
        await _accept(ctx, found, None)
    elif action == "r" and not await _already_decided(ctx, found):
        _ask_for_reason(ctx, found)


def _ask_for_reason(ctx: Ctx, found: WikiSuggestion) -> None:
    ctx.reply(
        ctx._(
            N_("To reject suggestion #{id}, send {command} followed by the reason; the member will read it."),
            id=found.id,
            command=code(f"{ctx.cmd('wiki_reject')} {found.id}"),
        )
    )


async def _accept(ctx: Ctx, found: WikiSuggestion, slug: str | None) -> None:
    if await _already_decided(ctx, found):
        return
    fields = dict(found.fields)
    if slug is not None:
        if not SLUG.fullmatch(slug):
            raise UserFacingError(
                N_(
                    "A slug is lower case letters, digits and single hyphens between them, such as "
                    "gender-budgeting-guide."
                )
            )
        fields["slug"] = slug
    try:
        data = WikiEntryData.model_validate(fields)
    except ValidationError:  # stored validated; only a changed rule could refuse it now
        raise UserFacingError(N_("Suggestion #{id} is no longer a valid entry."), id=found.id) from None
    wiki = ctx.services.repo(WikiRepository)
    if await wiki.get(data.slug) is not None:
        raise UserFacingError(
            N_(
                "There is already an entry {slug}. To accept suggestion #{id} under another slug, "
                "send {command}."
            ),
            slug=code(data.slug),
            id=found.id,
            command=code(f"{ctx.cmd('wiki_accept')} {found.id} <slug>"),
        )
    now = ctx.services.now()
    if not await _decide(ctx, found, SuggestionStatus.ACCEPTED, None):
        return
    entry, _created = await wiki.upsert(data, now)
    await _audit(ctx, "wiki.accept", found, None, slug=entry.slug)
    user, say = await _member(ctx, found)
    ctx.send(
        user,
        say(
            N_(
                "Good news: the moderators accepted your wiki suggestion {title}. It is in the wiki "
                "now: read it with {command}."
            ),
            title=bold(entry.title),
            command=code(f"{command(ctx, found.platform, 'wiki')} {entry.slug}"),
        ),
    )
    ctx.reply(
        ctx._(
            N_("Suggestion #{id} accepted: {title} is in the wiki as {slug}; its author has been told."),
            id=found.id,
            title=bold(entry.title),
            slug=code(entry.slug),
        )
    )


async def _reject(ctx: Ctx, found: WikiSuggestion, reason: str) -> None:
    if await _already_decided(ctx, found) or not await _decide(ctx, found, SuggestionStatus.REJECTED, reason):
        return
    await _audit(ctx, "wiki.reject", found, reason)
    user, say = await _member(ctx, found)
    ctx.send(
        user,
        say(
            N_("The moderators did not accept your wiki suggestion {title}. They wrote: {reason}"),
            title=bold(found.title),
            reason=reason,
        ),
    )
    ctx.reply(ctx._(N_("Suggestion #{id} rejected; its author has been told the reason."), id=found.id))


async def _decide(ctx: Ctx, found: WikiSuggestion, status: SuggestionStatus, reason: str | None) -> bool:
    """Claim the decision; if someone decided first, say who."""
    by = (ctx.actor.person_id, ctx.actor.display_name)
    if await ctx.services.repo(WikiSuggestions).decide(found, status, ctx.services.now(), by, reason):
        return True
    await _already_decided(ctx, found)
    return False


async def _audit(ctx: Ctx, action: str, found: WikiSuggestion, reason: str | None, **details: Any) -> None:
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action=action,
        target=f"wiki_suggestion:{found.id}",
        reason=reason,
        details=details,
    )


async def _already_decided(ctx: Ctx, found: WikiSuggestion) -> bool:
    """Say who decided, when and why, if the suggestion is not waiting for a decision."""
    if found.status == SuggestionStatus.PENDING:
        return False
    name, date = found.reviewed_by_name or "?", moment(ctx, found.decided_at)
    if found.status == SuggestionStatus.ACCEPTED:
        ctx.reply(
            ctx._(
                N_("Suggestion #{id} was already accepted by {name} on {date}."),
                id=found.id,
                name=name,
                date=date,
            )
        )
    else:
        ctx.reply(
            ctx._(
                N_("Suggestion #{id} was already rejected by {name} on {date}, with this reason: {reason}"),
                id=found.id,
                name=name,
                date=date,
                reason=found.reason or "-",
            )
        )
    return True


async def _requested(ctx: Ctx, args: tuple[str, ...]) -> WikiSuggestion:
    number = args[0].lstrip("#") if args else ""
    if not number.isdigit():
        raise UserFacingError(
            N_("Please give the number of the suggestion, such as {example}."), example=code("12")
        )
    found = await ctx.services.repo(WikiSuggestions).get(int(number))
    if found is None:
        raise UserFacingError(N_("There is no wiki suggestion #{id}."), id=number)
    return found


async def _name(ctx: Ctx, suggestion: WikiSuggestion) -> str:
    person = await ctx.services.users.person(suggestion.person_id)
    return person.display_name if person is not None else suggestion.platform_user_id


async def _member(ctx: Ctx, found: WikiSuggestion) -> tuple[UserRef, Say]:
    """Where the member who suggested is written to, and a ``say`` in their language."""
    identity = await ctx.services.users.find(found.platform, found.platform_user_id)
    person = await ctx.services.users.person(found.person_id)
    user = identity.ref if identity is not None else UserRef(found.platform, found.platform_user_id)
    locale = ctx.services.catalogs.choose(person.locale if person else None, user.language)
    return user, speaker(ctx, locale)
