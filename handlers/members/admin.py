"""Moderator commands: announcements to every member, and the audit log.

``/announce`` first shows the announcement as members will read it, with "Send to N
members" and Cancel buttons (:class:`~bot.forms.confirmation.Confirmation`); only Send,
pressed by the moderator who asked within the hour, sends it, once. It then goes through
the durable outbox (``storage/outbox.py``): one row per member (or, with ``--chat``, per
community chat), written with the press, delivered at the platforms' pace, with a progress
message in the moderator's chat that is edited as delivery goes on.
"""

from __future__ import annotations

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_, Translator
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, OutgoingMessage, Role
from bot.forms.confirmation import Confirmation
from bot.services import Ctx
from handlers.members.audit import PeopleNames, describe

router = Router("admin")

HEADER = N_("Announcement from the community moderators:")
#: ``/announce`` shows a preview and sends only once its author presses Send.
ANNOUNCEMENT = Confirmation("announce")
#: ``/announce --chat <text>`` posts in the community chats instead of writing to each member.
CHAT_FLAG = "--chat"


@router.command(
    "announce",
    role=Role.MODERATOR,
    description=N_("Send an announcement to every member by direct message, or to the community chats"),
    usage=N_("[--chat] <text>"),
    topic=Topic.COMMUNITY,
)
async def announce(ctx: Ctx) -> None:
    text = ctx.command.raw_args.strip() if ctx.command else ""
    to_chats = text.split(maxsplit=1)[0] == CHAT_FLAG if text else False
    if to_chats:
        text = text.removeprefix(CHAT_FLAG).strip()
    if not text:
        raise UserFacingError(
            N_("Write the announcement after the command, for example: {example}"),
            example=code(ctx.cmd("announce") + " " + ctx.gettext(N_("The next dialogue starts on Monday."))),
        )
    messages = await _messages(ctx, text, to_chats)
    count = len(messages)
    if to_chats:
        intro = ctx._(N_("Preview: this is the announcement as it will be posted in the community chats."))
        send = ctx.translator.ngettext("Post in {n} community chat", "Post in {n} community chats", count)
        preview = messages[0].text
    else:
        intro = ctx._(
            N_(
                "Preview: this is the announcement as members will receive it (each with the heading in their language)."
            )
        )
        send = ctx.translator.ngettext("Send to {n} member", "Send to {n} members", count)
        preview = announcement(ctx.translator, text)
    ctx.reply(intro)
    await ANNOUNCEMENT.ask(
        ctx,
        preview,
        {"text": text, "to_chats": to_chats},
        confirm=send.format(n=count),
        cancel=ctx.gettext(N_("Cancel")),
    )


@router.button(ANNOUNCEMENT.namespace, role=Role.MODERATOR)
async def announce_answer(ctx: Ctx) -> None:
    answer = await ANNOUNCEMENT.answer(ctx)
    if answer is None:
        return
    if not answer.confirmed:
        ctx.reply(ctx._(N_("The announcement was not sent.")))
        return
    text, to_chats = str(answer.action["text"]), bool(answer.action["to_chats"])
    # the recipients as they are now: members who joined or left since the preview count
    messages = await _messages(ctx, text, to_chats)
    services = ctx.services
    now = services.now()
    broadcast, rows = await services.outbox.broadcast(
        "announcement",
        messages,
        now,
        created_by=ctx.actor.user.key,
        locale=ctx.actor.locale,
        report_to=ctx.answer_to,
    )
    count = len(rows)
    await services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="broadcast.announce",
        target=f"broadcast:{broadcast.id}",
        details={"recipients": count, "text": text, "to": "chats" if to_chats else "members"},
    )
    if to_chats:
        ctx.reply(
            ctx.ngettext(
                "Announcement #{id} queued for {n} community chat.",
                "Announcement #{id} queued for {n} community chats.",
                count,
                id=broadcast.id,
            )
        )
    else:
        ctx.reply(
            ctx.ngettext(
                "Announcement #{id} queued for {n} member.",
                "Announcement #{id} queued for {n} members.",
                count,
                id=broadcast.id,
            )
        )


def announcement(translator: Translator, text: str) -> Text:
    """An announcement as a member reads it: the heading in their language, then the text."""
    return Text.of(bold(translator.gettext(HEADER)), "\n\n", text)


async def _messages(ctx: Ctx, text: str, to_chats: bool) -> list[OutgoingMessage]:
    """The announcement for each community chat, or for each member in their language.

    Raises:
        UserFacingError: there is no one to send it to.
    """
    catalogs = ctx.services.catalogs
    if to_chats:
        body = announcement(catalogs.translator(catalogs.default), text)
        messages = [
            OutgoingMessage(platform.community_chat, body)
            for platform in ctx.platforms.values()
            if platform.community_chat is not None
        ]
        if not messages:
            raise UserFacingError(N_("No platform has a community chat to post an announcement in."))
        return messages
    recipients = await ctx.services.users.member_recipients(ctx.platforms.keys())
    if not recipients:
        raise UserFacingError(N_("There are no members to send an announcement to yet."))
    return [
        OutgoingMessage(user, announcement(catalogs.translator(locale), text)) for user, locale in recipients
    ]


AUDIT_PAGE = 10


@router.command(
    "audit",
    role=Role.MODERATOR,
    description=N_("Show the newest audit log entries"),
    usage=N_("[n]"),
    topic=Topic.COMMUNITY,
)
async def audit(ctx: Ctx) -> None:
    count = int(ctx.args[0]) if ctx.args and ctx.args[0].isdigit() else AUDIT_PAGE
    await _audit_page(ctx, 0, max(1, min(count, 50)))


@router.button("audit", role=Role.MODERATOR)
async def audit_page(ctx: Ctx) -> None:
    _, _, args = (ctx.message.button or "").partition(":") if ctx.message else ("", "", "")
    offset, _, size = args.partition(":")
    await _audit_page(
        ctx, int(offset) if offset.isdigit() else 0, int(size) if size.isdigit() else AUDIT_PAGE
    )


async def _audit_page(ctx: Ctx, offset: int, size: int) -> None:
    log = ctx.services.audit
    entries = await log.recent(limit=size, offset=offset)
    total = await log.count()
    if not entries:
        ctx.reply(ctx._(N_("The audit log is empty.")))
        return
    lines: list[Text | str] = [
        ctx._(
            N_("Audit log, entries {first}-{last} of {total}:"),
            first=offset + 1,
            last=offset + len(entries),
            total=total,
        )
    ]
    names = await PeopleNames.of(ctx, entries)
    lines.extend(describe(ctx, entry, names) for entry in entries)
    buttons = []
    if offset + size < total:
        buttons.append(Button(ctx.gettext(N_("Older ▶")), f"audit:{offset + size}:{size}"))
    if offset > 0:
        buttons.insert(0, Button(ctx.gettext(N_("◀ Newer")), f"audit:{max(0, offset - size)}:{size}"))
    ctx.reply(Text.join("\n", lines), buttons=[buttons] if buttons else ())
