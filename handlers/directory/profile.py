"""``/profile``: what a member shows the others in the directory, and whether they are listed.

Shown as others would see it, with buttons to list or unlist oneself, to show or hide
one's handle and to let one's dialogue replies be quoted on the public web site (or not);
each field is changed by a short command (``/profile bio ...``). Nothing is listed, no
handle shown and no reply quoted until the member says so. Asked in a group, the answer goes to
the member privately.
"""

from __future__ import annotations

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, code
from bot.core.types import Button, Role
from bot.services import Ctx
from handlers.application.form import EXPERTISE_FIELD
from handlers.directory.cards import LANGUAGES_FIELD, own_profile, profile_card, resolve_choice, valid_choices
from storage.directory.repository import DirectoryRepository
from storage.models import MemberProfile

router = Router("profile")

#: The longest bio a profile keeps, in characters.
MAX_BIO = 500
#: The longest name or organisation, in characters.
MAX_LINE = 200
#: What a switch may be set to (``/profile listed on``), in any of the bot's languages.
SWITCH_ON = frozenset({"on", "yes", "oui", "sí", "si"})
SWITCH_OFF = frozenset({"off", "no", "non"})
#: The switches ``/profile`` takes, and the profile's column each one sets.
SWITCHES = {"listed": "listed", "handle": "show_handle", "quoted": "quote_publicly"}


@router.command(
    "profile",
    role=Role.MEMBER,
    description=N_("Show or change what other members see of you in the directory"),
    usage=N_("[name|organisation|bio|languages|expertise|listed|handle|quoted] [value]"),
    where=Where.DIRECT,
    topic=Topic.COMMUNITY,
)
async def profile(ctx: Ctx) -> None:
    ctx.private = ctx.private or not ctx.event.is_direct  # one's profile is one's own business
    mine = await own_profile(ctx)
    if ctx.args:
        await _change(ctx, mine, ctx.args[0].lower(), " ".join(ctx.args[1:]).strip())
    await _show(ctx, mine)


@router.button("profile", role=Role.MEMBER)
async def profile_button(ctx: Ctx) -> None:
    ctx.private = ctx.private or not ctx.event.is_direct
    mine = await own_profile(ctx)
    choice = (ctx.message.button or "").partition(":")[2] if ctx.message else ""
    switches = {"list": ("listed", True), "unlist": ("listed", False)}
    switches |= {"show": ("show_handle", True), "hide": ("show_handle", False)}
    switches |= {"quote": ("quote_publicly", True), "unquote": ("quote_publicly", False)}
    if choice in switches:
        name, value = switches[choice]
        await ctx.services.repo(DirectoryRepository).update(mine, ctx.services.now(), **{name: value})
    await _show(ctx, mine)


async def _show(ctx: Ctx, mine: MemberProfile) -> None:
    person = await ctx.services.users.person(mine.person_id)
    if person is None:
        return
    identities = await ctx.services.users.identities(mine.person_id)
    lines: list[Text | str] = [ctx._(N_("Your profile, as other members see it:"))]
    lines += profile_card(ctx, mine, person, identities, ctx.actor.locale)
    lines.append(
        ctx._(N_("You are listed in the directory."))
        if mine.listed
        else ctx._(N_("You are not listed in the directory: other members cannot find you."))
    )
    lines.append(
        ctx._(N_("Your handle is shown to other members."))
        if mine.show_handle
        else ctx._(N_("Your handle is hidden."))
    )
    lines.append(
        ctx._(N_("Your replies to dialogues may be quoted on the public site, with your name."))
        if mine.quote_publicly
        else ctx._(N_("Your replies to dialogues are not quoted on the public site."))
    )
    lines.append(
        ctx._(
            N_("To change a field: {examples}"),
            examples=Text.join(
                ", ",
                [
                    code(f"{ctx.cmd('profile')} {field} …")
                    for field in ("name", "organisation", "bio", "languages", "expertise")
                ],
            ),
        )
    )
    buttons = [
        Button(ctx.gettext(N_("Unlist me")), "profile:unlist")
        if mine.listed
        else Button(ctx.gettext(N_("List me")), "profile:list"),
        Button(ctx.gettext(N_("Hide my handle")), "profile:hide")
        if mine.show_handle
        else Button(ctx.gettext(N_("Show my handle")), "profile:show"),
        Button(ctx.gettext(N_("Do not quote my replies")), "profile:unquote")
        if mine.quote_publicly
        else Button(ctx.gettext(N_("Quote my replies")), "profile:quote"),
    ]
    ctx.reply(Text.join("\n", lines), buttons=[buttons])


async def _change(ctx: Ctx, mine: MemberProfile, field: str, value: str) -> None:
    """Change one field of the sender's profile, or refuse with the reason."""
    directory, now = ctx.services.repo(DirectoryRepository), ctx.services.now()
    if field in SWITCHES:
        if value.lower() not in SWITCH_ON | SWITCH_OFF:
            raise UserFacingError(
                N_("Write on or off after {command}."), command=code(f"{ctx.cmd('profile')} {field}")
            )
        await directory.update(mine, now, **{SWITCHES[field]: value.lower() in SWITCH_ON})
    elif field in ("name", "organisation"):
        if not value or len(value) > MAX_LINE:
            raise UserFacingError(
                N_("Write the new value after {command}, {limit} characters at most."),
                command=code(f"{ctx.cmd('profile')} {field}"),
                limit=MAX_LINE,
            )
        await directory.update(mine, now, **{field: value})
    elif field == "bio":
        if len(value) > MAX_BIO:
            raise UserFacingError(
                N_("Your bio has {length} characters; keep it to {limit}."), length=len(value), limit=MAX_BIO
            )
        await directory.update(mine, now, bio=value)
    elif field in ("languages", "expertise"):
        step = LANGUAGES_FIELD if field == "languages" else EXPERTISE_FIELD
        await directory.update(mine, now, **{field: _choices(ctx, step, value)})
    else:
        raise UserFacingError(
            N_("I cannot change {field}. You can change: {fields}."),
            field=field,
            fields="name, organisation, bio, languages, expertise, listed, handle, quoted",
        )
    ctx.reply(ctx._(N_("Your profile is saved.")))


def _choices(ctx: Ctx, step: str, value: str) -> list[str]:
    """The choices a member typed (``gbv, peace``, or labels), each one checked."""
    typed = [part for part in (value.split(",") if "," in value else value.split()) if part.strip()]
    chosen: list[str] = []
    for part in typed:
        found = resolve_choice(ctx, step, part)
        if found is None:
            raise UserFacingError(
                N_("I do not know {value}. Choose among: {choices}."),
                value=part.strip(),
                choices=valid_choices(ctx, step),
            )
        chosen.append(found)
    if not chosen:
        raise UserFacingError(N_("Choose at least one of: {choices}."), choices=valid_choices(ctx, step))
    return list(dict.fromkeys(chosen))
