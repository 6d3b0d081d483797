"""First contact and getting around: ``/start``, ``/help``, ``/language``.

Also the answers of last resort: an unknown command, a message nobody handles, a
command the user's role does not allow.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.catalogs import Catalogs, language_name
from bot.core.commands import Topic, Where
from bot.core.i18n import N_
from bot.core.router import Route, Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, CommandMenu, MenuScope, Role
from bot.services import Ctx
from handlers.application.common import DEEP_LINK

router = Router("basics")

#: How each role is named in refusals ("... is for moderators only").
ROLE_NAMES = {
    Role.GUEST: N_("everyone"),
    Role.APPLICANT: N_("applicants"),
    Role.MEMBER: N_("members"),
    Role.MODERATOR: N_("moderators"),
    Role.ADMIN: N_("admins"),
}


@router.command(
    "start", description=N_("Welcome, and what I can do for you"), where=Where.DIRECT, topic=Topic.COMMUNITY
)
async def start(ctx: Ctx) -> None:
    if ctx.args[:1] == (DEEP_LINK,):  # the application form's deep link
        from handlers.application.conversation import open_form

        await open_form(ctx)
        return
    ctx.reply(
        Text.join(
            "\n\n",
            [
                ctx._(
                    N_(
                        "Welcome, {name}! I am the assistant of the community of practice of gender trainers."
                    ),
                    name=ctx.actor.display_name,
                ),
                command_list(ctx),
                ctx._(N_("Choose the language I should speak with you:")),
            ],
        ),
        buttons=language_buttons(ctx),
    )


@router.command("help", description=N_("List the commands you can use"), topic=Topic.COMMUNITY)
async def help_(ctx: Ctx) -> None:
    ctx.reply(command_list(ctx))


@router.command(
    "language",
    description=N_("Choose the language I speak with you"),
    usage=N_("[code]"),
    where=Where.DIRECT,
    topic=Topic.COMMUNITY,
)
async def language(ctx: Ctx) -> None:
    if not ctx.args:
        ctx.reply(
            ctx._(
                N_("I speak {language} with you. Choose another language:"),
                language=language_name(ctx.actor.locale),
            ),
            buttons=language_buttons(ctx),
        )
        return
    await _switch_language(ctx, ctx.args[0])


@router.button("lang")
async def language_button(ctx: Ctx) -> None:
    payload = ctx.message.button if ctx.message else None
    await _switch_language(ctx, (payload or "").partition(":")[2])


async def _switch_language(ctx: Ctx, requested: str) -> None:
    catalogs = ctx.services.catalogs
    locale = catalogs.negotiate(requested)
    if locale is None:
        choices = ", ".join(f"{code} ({language_name(code)})" for code in catalogs.locales)
        ctx.reply(
            ctx._(
                N_("I do not speak \u201c{code}\u201d yet. Choose one of: {choices}."),
                code=requested,
                choices=choices,
            )
        )
        return
    if ctx.actor.person_id is not None:
        await ctx.services.users.set_locale(ctx.actor.person_id, locale)
    ctx.translator = catalogs.translator(locale)
    ctx.reply(ctx._(N_("From now on I will speak {language} with you."), language=language_name(locale)))


def language_buttons(ctx: Ctx) -> list[list[Button]]:
    """One button per language, labelled in that language; the current one marked."""
    row = []
    for locale in ctx.services.catalogs.locales:
        mark = "✓ " if locale == ctx.actor.locale else ""
        row.append(Button(f"{mark}{language_name(locale, capitalize=True)}", f"lang:{locale}"))
    return [row]


def command_list(ctx: Ctx) -> Text:
    """The commands the actor may use where they asked, with their localized descriptions.

    In a group, only the commands that make sense there; in a chat members read, not the
    moderators' commands (they are answered privately, and listed there); to a member,
    not the commands for becoming one (:func:`for_newcomers`). A moderator's list is
    grouped under the :class:`Topic` headings.
    """
    event = ctx.event
    in_group = not event.is_direct
    members_read = in_group and not ctx.platform.is_moderators_chat(event.chat)
    listed = [
        (route, text)
        for route, text in listed_commands(
            ctx.services.router, ctx.actor.role, in_group=in_group, members_read=members_read
        )
        if not (ctx.actor.has(Role.MEMBER) and for_newcomers(route))
    ]
    heading = ctx._(N_("Commands you can use:"))
    if not ctx.actor.has(Role.MODERATOR):
        return Text.join("\n", [heading, *(_command_line(ctx, route, text) for route, text in listed)])
    sections: list[Text | str] = [heading]
    for topic in Topic:
        lines = [_command_line(ctx, route, text) for route, text in listed if route.topic is topic]
        if lines:
            sections.append(Text.join("\n", [Text.of(bold(ctx.gettext(topic.value))), *lines]))
    if members_read:
        sections.append(
            ctx._(
                N_("Your moderator commands are listed when you send {help} in our private chat."),
                help=code(ctx.cmd("help")),
            )
        )
    return Text.join("\n\n", sections)


def for_newcomers(route: Route) -> bool:
    """Whether a command is for becoming a member: about applications and open to guests.

    ``/apply`` and ``/status`` are; members still may use them, but their ``/help`` leaves
    them out. The command menus keep them: a platform shows one menu to everyone.
    """
    return route.topic is Topic.APPLICATIONS and route.role < Role.MEMBER


def _command_line(ctx: Ctx, route: Route, description: str) -> Text:
    usage = f" {ctx.gettext(route.usage)}" if route.usage else ""
    return Text.of(code(ctx.cmd(route.name) + usage), " \u2014 ", ctx.gettext(description))


def listed_commands(
    router: Router, role: Role, *, in_group: bool = False, members_read: bool = False
) -> Iterator[tuple[Route, str]]:
    """The commands ``/help`` and the command menus show to ``role``, with their description.

    Args:
        router: the bot's root router.
        role: the role of the person asking.
        in_group: listed for a group: commands that make sense in direct chats only are left out.
        members_read: listed for a chat members read: moderators' commands are left out.
    """
    for route in router.commands():
        if route.description is None or role < route.role:
            continue
        if (in_group and route.where is Where.DIRECT) or (members_read and route.role >= Role.MODERATOR):
            continue
        yield route, route.description


#: The role whose commands each menu offers. A platform shows one menu in every direct
#: chat, whoever the person is: it offers what members may do (the community's everyday
#: commands), and a guest who picks a members' command is told it is for members. The
#: moderators' chat is a group: its menu offers what makes sense in a group, as ``/help``
#: there lists.
MENU_ROLES = {MenuScope.DIRECT_CHATS: Role.MEMBER, MenuScope.MODERATOR_CHAT: Role.MODERATOR}


def command_menus(router: Router, catalogs: Catalogs) -> list[CommandMenu]:
    """Every command menu, in every language (the default language's is everyone else's)."""
    menus = []
    for scope, role in MENU_ROLES.items():
        listed = list(listed_commands(router, role, in_group=scope is MenuScope.MODERATOR_CHAT))
        for locale in catalogs.locales:
            gettext = catalogs.translator(locale).gettext
            menus.append(
                CommandMenu(
                    scope,
                    None if locale == catalogs.default else locale,
                    tuple((route.name, gettext(description)) for route, description in listed),
                )
            )
    return menus


def install_fallbacks(root: Router) -> None:
    """Make this module answer what no other route takes."""
    root.on_unknown_command = unknown_command
    root.on_unmatched = unmatched
    root.on_denied = denied


async def unknown_command(ctx: Ctx) -> None:
    typed = ctx.cmd(ctx.command.name) if ctx.command else ""
    ctx.reply(
        ctx._(
            N_("I do not know the command {command}. Send {help} to see the commands you can use."),
            command=code(typed),
            help=code(ctx.cmd("help")),
        )
    )


async def unmatched(ctx: Ctx) -> None:
    message = ctx.message
    if message is not None and message.text is None and message.button is None:
        ctx.reply(
            ctx._(
                N_("I can only read text messages. Send {help} to see what I can do."),
                help=code(ctx.cmd("help")),
            )
        )
        return
    if message is not None and message.button is not None:
        ctx.reply(
            ctx._(N_("That button has expired. Send {help} to start again."), help=code(ctx.cmd("help")))
        )
        return
    ctx.reply(
        ctx._(
            N_("I answer commands. Send {help} to see the commands you can use."), help=code(ctx.cmd("help"))
        )
    )


async def denied(ctx: Ctx) -> None:
    route = ctx.route
    if route is None:
        return
    if route.role >= Role.MODERATOR:
        await ctx.services.audit.record(
            at=ctx.services.now(),
            actor=ctx.actor.user.key,
            actor_person_id=ctx.actor.person_id,
            action="access.denied",
            target=route.name,
            details={"role": ctx.actor.role.label, "needed": route.role.label},
        )
    if ctx.command is not None:
        ctx.reply(
            ctx._(
                N_("Sorry, {command} is for {role} only."),
                command=code(ctx.cmd(ctx.command.name)),
                role=bold(ctx.gettext(ROLE_NAMES[route.role])),
            )
        )
    else:
        ctx.reply(ctx._(N_("Sorry, you are not allowed to do that.")))
