"""Managing members: roles, profiles, lists and removals (bans: :mod:`handlers.members.bans`).

People are named in commands by platform id (``telegram:123``, ``@alice:example.org``),
by ``@username`` where the platform has one, or by the member number the bot shows
(``#12``); never by display name, which anyone can set to anything. Every change is
audited, and so is every refused attempt (see ``handlers/basics/commands.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from babel.dates import format_date

from bot.core.commands import Topic
from bot.core.errors import UnsupportedCapability, UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, Role, UserRef
from bot.forms.countries import country_name, fold
from bot.forms.steps import label_text
from bot.services import Ctx
from handlers.application.cards import member_lines
from handlers.application.common import form_of
from handlers.application.form import EXPERTISE_FIELD
from storage.models import Person
from storage.regions import countries_in

router = Router("members")

PAGE = 20
#: A person's role, as a noun in the singular.
ROLE_LABELS = {
    Role.GUEST: N_("guest"),
    Role.APPLICANT: N_("applicant"),
    Role.MEMBER: N_("member"),
    Role.MODERATOR: N_("moderator"),
    Role.ADMIN: N_("admin"),
}


async def target(ctx: Ctx, reference: str | None) -> Person:
    """The one person ``reference`` names, or a localized refusal."""
    if not reference:
        raise UserFacingError(
            N_(
                "Name the person: a platform id such as {example}, an @username or a member number such as #12."
            ),
            example=code("telegram:12345"),
        )
    people = await ctx.services.users.lookup(reference)
    if not people:
        raise UserFacingError(N_("I know no one as {reference}."), reference=reference)
    if len(people) > 1:
        numbers = ", ".join(f"#{person.id}" for person in people)
        raise UserFacingError(
            N_("{reference} could be several people ({numbers}); use a member number."),
            reference=reference,
            numbers=numbers,
        )
    return people[0]


async def _audit(ctx: Ctx, action: str, person: Person, reason: str | None = None) -> None:
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action=action,
        target=f"person:{person.id}",
        reason=reason,
    )


def _tell(ctx: Ctx, msgid: str, person: Person) -> None:
    """Answer with a message about ``person`` (``{name}`` and ``{number}``)."""
    ctx.reply(ctx._(msgid, name=person.display_name, number=person.id))


def _reason(ctx: Ctx) -> str | None:
    return " ".join(ctx.args[1:]).strip() or None


@router.command(
    "promote",
    role=Role.ADMIN,
    description=N_("Make someone a moderator"),
    usage=N_("<person>"),
    topic=Topic.MEMBERS,
)
async def promote(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    users, now = ctx.services.users, ctx.services.now()
    granted = await users.grant(person.id, Role.MODERATOR, now, ctx.actor.person_id)
    await users.grant(person.id, Role.MEMBER, now, ctx.actor.person_id)
    if not granted:
        _tell(ctx, N_("{name} (#{number}) is already a moderator."), person)
        return
    await _audit(ctx, "role.grant.moderator", person)
    _tell(ctx, N_("{name} (#{number}) is now a moderator."), person)


@router.command(
    "demote",
    role=Role.ADMIN,
    description=N_("Take the moderator role back"),
    usage=N_("<person>"),
    topic=Topic.MEMBERS,
)
async def demote(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    if not await ctx.services.users.revoke(person.id, Role.MODERATOR):
        _tell(ctx, N_("{name} (#{number}) is not a moderator."), person)
        return
    await _audit(ctx, "role.revoke.moderator", person)
    _tell(ctx, N_("{name} (#{number}) is no longer a moderator."), person)


@router.command(
    "member",
    role=Role.MODERATOR,
    description=N_("Show what the bot knows of a person"),
    usage=N_("<person>"),
    topic=Topic.MEMBERS,
)
async def member(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    users = ctx.services.users
    roles = sorted(await users.roles(person.id), reverse=True) or [Role.GUEST]
    identities = await users.identities(person.id)
    locale = ctx.actor.locale
    lines: list[Text | str] = [
        ctx._(N_("Member #{number}: {name}"), number=person.id, name=bold(person.display_name)),
        ctx._(N_("Roles: {roles}"), roles=", ".join(ctx.gettext(ROLE_LABELS[role]) for role in roles)),
        ctx._(
            N_("Language: {language}. Country: {country}."),
            language=person.locale or "-",
            country=_country(person.country, locale),
        ),
        ctx._(
            N_("Accounts: {accounts}"),
            accounts=", ".join(
                f"{i.platform}:{i.platform_user_id}" + (f" (@{i.username})" if i.username else "")
                for i in identities
            ),
        ),
        ctx._(N_("Known since {date}."), date=format_date(person.created_at, format="medium", locale=locale)),
        *await member_lines(ctx, form_of(ctx), person.id),
    ]
    reached = await users.delivery_account(person.id, ctx.platforms.keys())
    if len(identities) > 1 and reached is not None:  # linked accounts: messages for many go to one
        lines.insert(
            4,
            ctx._(
                N_("Announcements and prompts reach them on {platform}."), platform=reached.identity.platform
            ),
        )
    if person.banned_at is not None:
        lines.append(
            ctx._(
                N_("Banned since {date}: {reason}"),
                date=format_date(person.banned_at, format="medium", locale=locale),
                reason=person.banned_reason or "-",
            )
        )
    ctx.reply(Text.join("\n", lines))


@router.command(
    "members",
    role=Role.MODERATOR,
    description=N_("List members, optionally filtered"),
    usage=N_("[country:XX] [region:name] [platform:name] [role:name] [expertise:area]"),
    topic=Topic.MEMBERS,
)
async def members(ctx: Ctx) -> None:
    filters = " ".join(ctx.args)
    _parse_filters(ctx, filters)  # refuse bad filters before remembering them
    if ctx.actor.person_id is not None:
        await ctx.services.state.set(f"members.filter.{ctx.actor.person_id}", filters, ctx.services.now())
    await _members_page(ctx, filters, 0)


@router.button("members", role=Role.MODERATOR)
async def members_page(ctx: Ctx) -> None:
    offset = (ctx.message.button or "").partition(":")[2] if ctx.message else ""
    filters = ""
    if ctx.actor.person_id is not None:
        filters = await ctx.services.state.get(f"members.filter.{ctx.actor.person_id}", "")
    await _members_page(ctx, filters, int(offset) if offset.isdigit() else 0)


async def _members_page(ctx: Ctx, filters: str, offset: int) -> None:
    chosen = _parse_filters(ctx, filters)
    people, total = await ctx.services.users.people(
        roles=chosen.roles,
        country=chosen.country,
        countries=countries_in(chosen.region) if chosen.region else None,
        platform=chosen.platform,
        answer=(EXPERTISE_FIELD, chosen.expertise) if chosen.expertise else None,
        offset=offset,
        limit=PAGE,
    )
    if not people:
        ctx.reply(ctx._(N_("No one matches.")))
        return
    lines: list[Text | str] = [
        ctx._(
            N_("People {first}-{last} of {total}:"), first=offset + 1, last=offset + len(people), total=total
        )
    ]
    for person in people:
        held = sorted(await ctx.services.users.roles(person.id), reverse=True)
        role = ctx.gettext(ROLE_LABELS[held[0] if held else Role.GUEST])
        lines.append(
            Text.of(
                f"#{person.id} ",
                bold(person.display_name),
                f" — {role}",
                f" · {person.country}" if person.country else "",
            )
        )
    buttons = []
    if offset > 0:
        buttons.append(Button(ctx.gettext(N_("◀ Previous")), f"members:{max(0, offset - PAGE)}"))
    if offset + PAGE < total:
        buttons.append(Button(ctx.gettext(N_("Next ▶")), f"members:{offset + PAGE}"))
    ctx.reply(Text.join("\n", lines), buttons=[buttons] if buttons else ())


@dataclass(frozen=True, slots=True)
class MemberFilter:
    """What ``/members`` was asked to show; every given part must match."""

    roles: tuple[Role, ...] = ()
    country: str | None = None
    region: str | None = None
    platform: str | None = None
    #: A choice value of the application form's expertise step.
    expertise: str | None = None


def _parse_filters(ctx: Ctx, filters: str) -> MemberFilter:
    roles: list[Role] = []
    found: dict[str, str] = {}
    for token in filters.split():
        key, _, value = token.partition(":")
        if key == "role" and value.upper() in Role.__members__:
            roles.append(Role[value.upper()])
        elif key == "country" and len(value) == 2 and value.isalpha():
            found["country"] = value.upper()
        elif key == "region" and countries_in(value):
            found["region"] = value
        elif key == "platform" and value:
            found["platform"] = value.lower()
        elif key == "expertise" and (area := _expertise(ctx, value)):
            found["expertise"] = area
        else:
            raise UserFacingError(
                N_(
                    "I do not understand the filter {filter}. Use country:XX, region:name (africa, americas, asia, europe, oceania), platform:name, role:name or expertise:area (for example expertise:budgeting)."
                ),
                filter=token,
            )
    return MemberFilter(tuple(roles), **found)


def _expertise(ctx: Ctx, typed: str) -> str | None:
    """The expertise choice meant by ``typed``: its value, or the start of its label in any language."""
    step = form_of(ctx).step(EXPERTISE_FIELD)
    wanted = fold(typed)
    if step is None or not wanted:
        return None
    catalogs = ctx.services.catalogs
    matches = {
        choice.value
        for choice in step.choices
        if typed.lower() == choice.value
        or any(
            fold(label_text(choice.label, catalogs.translator(locale).gettext, locale)).startswith(wanted)
            for locale in catalogs.locales
        )
    }
    return matches.pop() if len(matches) == 1 else None


@router.command(
    "remove",
    role=Role.MODERATOR,
    description=N_("Remove a member from the community"),
    usage=N_("<person> [reason]"),
    topic=Topic.MEMBERS,
)
async def remove(ctx: Ctx) -> None:
    person = await target(ctx, ctx.args[0] if ctx.args else None)
    if await _protected(ctx, person):
        return
    reason = _reason(ctx)
    users = ctx.services.users
    was_member = await users.revoke(person.id, Role.MEMBER)
    await users.revoke(person.id, Role.MODERATOR)
    if not was_member:
        _tell(ctx, N_("{name} (#{number}) is not a member."), person)
        return
    await _audit(ctx, "person.remove", person, reason)
    await _remove_from_community(ctx, person, reason)
    _tell(ctx, N_("{name} (#{number}) is no longer a member."), person)


async def _protected(ctx: Ctx, person: Person) -> bool:
    """Moderators cannot act against admins or other moderators, nor anyone against themselves.

    A refusal is answered and audited like every other refused attempt (``access.denied``,
    the command as target), with whom it protected.
    """
    roles = await ctx.services.users.roles(person.id)
    keys = {f"{i.platform}:{i.platform_user_id}" for i in await ctx.services.users.identities(person.id)}
    rank = Role.ADMIN if keys & set(ctx.services.settings.admins) else max(roles, default=Role.GUEST)
    if person.id == ctx.actor.person_id:
        protects = "self"
    elif rank >= Role.MODERATOR and not ctx.actor.has(Role.ADMIN):
        protects = rank.label
    else:
        return False
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="access.denied",
        target=ctx.route.name if ctx.route else None,
        details={"person": f"person:{person.id}", "protects": protects, "role": ctx.actor.role.label},
    )
    ctx.reply(ctx._(N_("Sorry, you cannot do that to {name}."), name=person.display_name))
    return True


async def _remove_from_community(ctx: Ctx, person: Person, reason: str | None, *, ban: bool = False) -> None:
    for identity in await ctx.services.users.identities(person.id):
        platform = ctx.platforms.get(identity.platform)
        if platform is not None:
            ctx.after_commit(_remover(platform, identity.ref, reason, ban))


def _remover(
    platform: Platform, user: UserRef, reason: str | None, ban: bool
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        with contextlib.suppress(UnsupportedCapability):  # no community chat on that platform
            if ban:
                await platform.ban_user(user, reason)
            else:
                await platform.remove_user(user, reason)

    return run


def _country(code_: str | None, locale: str) -> str:
    """A country's common name in ``locale``, or ``-``."""
    if not code_:
        return "-"
    return country_name(code_, locale)
