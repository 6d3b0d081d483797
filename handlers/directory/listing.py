"""``/directory``: the listed members, searched and paged, and introductions between two members.

Only listed profiles of members who are not banned appear (see
:class:`~storage.directory.repository.DirectoryRepository`), ten a page, each with the
first words of its bio and its handle only when its member shows it. "Introduce me"
(a numbered 🤝 button per entry) writes to both people privately, each in their own
language, with each one's handle only if they show it; a member may ask for
:data:`DAILY_INTRODUCTIONS` a day, and each introduction is audited.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, code
from bot.core.types import Button, Role
from bot.services import Ctx
from handlers.application.common import speaker
from handlers.application.form import EXPERTISE_FIELD
from handlers.directory.cards import (
    LANGUAGES_FIELD,
    own_profile,
    profile_card,
    resolve_choice,
    valid_choices,
)
from storage.directory.query import DirectorySearch, TypedSearch, region_code
from storage.directory.repository import INTRODUCE, DirectoryRepository
from storage.regions import REGIONS, territory_name

router = Router("directory")

PAGE = 10
#: How many introductions a member may ask for in a day.
DAILY_INTRODUCTIONS = 5
_BUTTONS_PER_ROW = 5


def _search_key(ctx: Ctx) -> str:
    return f"directory.search.{ctx.actor.person_id}"


@router.command(
    "directory",
    role=Role.MEMBER,
    description=N_("Find other members by expertise, region or language"),
    usage=N_("[expertise:area] [region:name] [lang:code] [words]"),
    where=Where.DIRECT,
    topic=Topic.COMMUNITY,
)
async def directory(ctx: Ctx) -> None:
    ctx.private = ctx.private or not ctx.event.is_direct  # who is listed is for members' eyes only
    typed = " ".join(ctx.args)
    _checked(ctx, typed)  # refuse a bad filter before remembering it
    await ctx.services.state.set(_search_key(ctx), typed, ctx.services.now())
    await _page(ctx, typed, 0)


@router.button("directory", role=Role.MEMBER)
async def directory_button(ctx: Ctx) -> None:
    ctx.private = ctx.private or not ctx.event.is_direct
    kind, _, value = ((ctx.message.button or "") if ctx.message else "").partition(":")[2].partition(":")
    if not value.isdigit():
        return
    if kind == "p":
        await _page(ctx, await ctx.services.state.get(_search_key(ctx), ""), int(value))
    elif kind == "i":
        await _introduce(ctx, int(value))


def _checked(ctx: Ctx, typed: str) -> DirectorySearch:
    """The search ``typed`` means, or a localized refusal naming what is wrong."""
    search = TypedSearch.parse(typed)
    expertise = region = language = None
    if "expertise" in search.filters:
        expertise = resolve_choice(ctx, EXPERTISE_FIELD, search.filters["expertise"])
        if expertise is None:
            raise UserFacingError(
                N_("I do not know the area of expertise {value}. Choose among: {choices}."),
                value=search.filters["expertise"],
                choices=valid_choices(ctx, EXPERTISE_FIELD),
            )
    if "lang" in search.filters:
        language = resolve_choice(ctx, LANGUAGES_FIELD, search.filters["lang"])
        if language is None:
            raise UserFacingError(
                N_("I do not know the language {value}. Choose among: {choices}."),
                value=search.filters["lang"],
                choices=valid_choices(ctx, LANGUAGES_FIELD),
            )
    if "region" in search.filters:
        region = region_code(search.filters["region"], tuple(ctx.services.catalogs.locales))
        if region is None:
            names = ", ".join(territory_name(code_, ctx.actor.locale) for code_ in REGIONS)
            raise UserFacingError(
                N_("I do not know the region {value}. Use one of {regions}, or a country code such as KE."),
                value=search.filters["region"],
                regions=names,
            )
    return DirectorySearch(search.words, expertise, region, language)


async def _page(ctx: Ctx, typed: str, offset: int) -> None:
    search = _checked(ctx, typed)
    repository = ctx.services.repo(DirectoryRepository)
    found = search.select(await repository.listed())
    if not found:
        ctx.reply(
            ctx._(
                N_("No listed member matches. Members appear here once they list themselves with {command}."),
                command=code(ctx.cmd("profile")),
            )
        )
        return
    shown = found[offset : offset + PAGE]
    accounts = await repository.identities([person.id for _, person in shown])
    lines: list[Text | str] = [
        ctx._(
            N_("Members {first}-{last} of {total}:"),
            first=offset + 1,
            last=offset + len(shown),
            total=len(found),
        )
    ]
    for number, (profile, person) in enumerate(shown, start=offset + 1):
        card = profile_card(ctx, profile, person, accounts[person.id], ctx.actor.locale, short_bio=True)
        lines.append(Text.of(f"{number}. ", card[0]))
        lines += [Text.of("   ", line) for line in card[1:]]
    lines.append(ctx._(N_("Press 🤝 and a number to be introduced to that member: I write to both of you.")))
    introduce = [
        Button(f"🤝 {number}", f"directory:i:{person.id}")
        for number, (_, person) in enumerate(shown, start=offset + 1)
    ]
    buttons = [introduce[at : at + _BUTTONS_PER_ROW] for at in range(0, len(introduce), _BUTTONS_PER_ROW)]
    paging = []
    if offset > 0:
        paging.append(Button(ctx.gettext(N_("◀ Previous")), f"directory:p:{max(0, offset - PAGE)}"))
    if offset + PAGE < len(found):
        paging.append(Button(ctx.gettext(N_("Next ▶")), f"directory:p:{offset + PAGE}"))
    if paging:
        buttons.append(paging)
    ctx.reply(Text.join("\n", lines), buttons=buttons)


async def _introduce(ctx: Ctx, person_id: int) -> None:
    """Introduce the sender and ``person_id`` to each other, privately, in their languages."""
    services = ctx.services
    repository = services.repo(DirectoryRepository)
    if person_id == ctx.actor.person_id:
        raise UserFacingError(N_("You cannot be introduced to yourself."))
    listed = await repository.listed(person_id)
    if not listed:
        raise UserFacingError(N_("That member is no longer listed in the directory."))
    mine = await own_profile(ctx)
    now = services.now()
    if await repository.introductions_since(mine.person_id, now - timedelta(days=1)) >= DAILY_INTRODUCTIONS:
        raise UserFacingError(
            N_("You have asked for {limit} introductions in the last day; please try again tomorrow."),
            limit=DAILY_INTRODUCTIONS,
        )
    theirs, them = listed[0]
    me = await services.users.person(mine.person_id)
    reached = await services.users.delivery_account(person_id, ctx.platforms.keys())
    if me is None or reached is None:
        raise UserFacingError(N_("I cannot reach that member right now; please try again later."))
    accounts = await repository.identities([me.id, them.id])
    locale = reached.locale or reached.identity.language or services.catalogs.default
    say = speaker(ctx, locale)
    to_them: list[Text | str] = [
        say(N_("A member of the community would like to meet you. Here is who they are:"))
    ]
    to_them += profile_card(ctx, mine, me, accounts[me.id], locale)
    if not mine.show_handle:
        to_them.append(
            say(
                N_("They keep their handle private. To let them reach you, show yours with {command}."),
                command=code(f"{ctx.cmd('profile')} handle on"),
            )
        )
    ctx.send(reached.identity.ref, Text.join("\n", to_them))
    to_me: list[Text | str] = [ctx._(N_("I introduced you. Here is who they are:"))]
    to_me += profile_card(ctx, theirs, them, accounts[them.id], ctx.actor.locale)
    if not theirs.show_handle:
        to_me.append(
            ctx._(
                N_(
                    "They keep their handle private. I sent them your profile, with your handle only if you show it ({command})."
                ),
                command=code(f"{ctx.cmd('profile')} handle on"),
            )
        )
    ctx.reply(Text.join("\n", to_me))
    await services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=mine.person_id,
        action=INTRODUCE,
        target=f"person:{person_id}",
    )
