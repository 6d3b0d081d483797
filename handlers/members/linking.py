"""Linked accounts: ``/link`` joins two accounts into one person, ``/unlink`` separates one.

A member who uses the community from Telegram and Matrix (or two console names) is one
person: one member record, one application, one role, one language. ``/link`` in a
direct chat gives a one-time code (:mod:`storage.members.link_codes`); ``/link CODE``
sent from the other account joins it to the person who asked
(:mod:`storage.members.linking` says what is kept). ``/deliver`` chooses the platform
where announcements and prompts reach them, once.

A code is a key to the person's role: one shown in a group chat is cancelled, not used.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, code
from bot.services import Ctx
from storage.members.link_codes import CODE_TTL, LinkCodes
from storage.members.linking import BothApplying, LinkedAccounts
from storage.models import Identity

router = Router("linking")


def _accounts(identities: Iterable[Identity]) -> Text:
    return Text.join(", ", [code(f"{i.platform}:{i.platform_user_id}") for i in identities])


def _person(ctx: Ctx) -> int:
    """The sender's person; asked in a group, their answer goes to them privately.

    Which accounts are one person is theirs to tell: a group chat does not read it.
    """
    ctx.private = ctx.private or not ctx.event.is_direct
    if ctx.actor.person_id is None:  # only before the identity middleware ran
        raise UserFacingError(N_("Sorry, I do not know you yet."))
    return ctx.actor.person_id


@router.command(
    "link",
    description=N_("Join your accounts on several platforms into one"),
    usage=N_("[code]"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def link(ctx: Ctx) -> None:
    if ctx.args:
        await _redeem(ctx, ctx.args[0] if len(ctx.args) == 1 else "".join(ctx.args))
        return
    person = _person(ctx)
    issued = await ctx.services.repo(LinkCodes).issue(person, ctx.services.now())
    prefixes = dict.fromkeys(platform.command_prefix for platform in ctx.platforms.values())
    commands = Text.join(", ", [code(f"{prefix}link {issued}") for prefix in prefixes])
    ctx.reply(  # privately, asked in a group: see _person
        Text.join(
            "\n\n",
            [
                ctx._(N_("Your link code: {code}"), code=code(issued)),
                ctx._(
                    N_(
                        "Within {minutes} minutes, send {commands} from your other account, on another platform or this one. The code works once; keep it to yourself."
                    ),
                    minutes=int(CODE_TTL.total_seconds() // 60),
                    commands=commands,
                ),
                ctx._(
                    N_(
                        "Your accounts then become one person: this account's name, language and role are kept, and the other account's application, replies and subscriptions join them."
                    )
                ),
            ],
        ),
    )


async def _redeem(ctx: Ctx, typed: str) -> None:
    services, person = ctx.services, _person(ctx)
    codes = services.repo(LinkCodes)
    if not ctx.event.is_direct:
        await codes.cancel_code(typed)
        ctx.reply(
            ctx._(
                N_(
                    "A link code must stay secret, and this one was shown in a group chat: I cancelled it. Send {command} in a private chat with me for a new one."
                ),
                command=code(ctx.cmd("link")),
            )
        )
        return
    now = services.now()
    redemption = await codes.redeem(typed, person, now)
    if redemption.retry_at is not None:
        minutes = max(1, -int(-(redemption.retry_at - now).total_seconds() // 60))
        ctx.reply(
            ctx.ngettext(
                "Too many wrong codes. Try again in {n} minute.",
                "Too many wrong codes. Try again in {n} minutes.",
                minutes,
            )
        )
        return
    if redemption.own:
        ctx.reply(ctx._(N_("This code is yours: send it from your other account.")))
        return
    issuer = await services.users.person(redemption.issuer) if redemption.issuer else None
    if issuer is None or issuer.banned_at is not None:
        ctx.reply(
            ctx.ngettext(
                "This code is wrong, has expired or was already used. You may try {n} more time.",
                "This code is wrong, has expired or was already used. You may try {n} more times.",
                redemption.attempts_left,
            )
        )
        return
    try:
        await services.repo(LinkedAccounts).merge(issuer.id, person)
    except BothApplying:
        # raised, so the transaction is rolled back and the code stays valid
        raise UserFacingError(
            N_(
                "Both accounts have an application in progress. Finish or cancel one of them ({cancel} in its form), then send the code again."
            ),
            cancel=code(ctx.cmd("cancel")),
        ) from None
    services.users.forget_cached(issuer.id)
    services.users.forget_cached(person)
    await services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=issuer.id,
        action="person.link",
        target=f"person:{issuer.id}",
        details={"account": ctx.actor.user.key, "joined": f"person:{person}"},
    )
    ctx.reply(
        ctx._(
            N_("Done: this account now belongs to {name} (#{number}). Your accounts: {accounts}."),
            name=issuer.display_name,
            number=issuer.id,
            accounts=_accounts(await services.users.identities(issuer.id)),
        )
    )


@router.command(
    "unlink",
    description=N_("Separate one of your linked accounts again"),
    usage=N_("[account]"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def unlink(ctx: Ctx) -> None:
    services, person = ctx.services, _person(ctx)
    identities = await services.users.identities(person)
    if len(identities) < 2:
        ctx.reply(ctx._(N_("This is your only account: there is nothing to unlink.")))
        return
    wanted = ctx.args[0] if ctx.args else ctx.actor.user.key
    if wanted.startswith("@") and ":" in wanted:  # a bare Matrix id
        wanted = f"matrix:{wanted}"
    chosen = next((i for i in identities if f"{i.platform}:{i.platform_user_id}" == wanted), None)
    if chosen is None:
        ctx.reply(
            ctx._(
                N_("{account} is not one of your accounts. Your accounts: {accounts}."),
                account=code(wanted),
                accounts=_accounts(identities),
            )
        )
        return
    now = services.now()
    separated = await services.repo(LinkedAccounts).separate(chosen, now)
    services.users.forget_cached(separated.former_person_id)
    services.users.forget_cached(separated.person_id)
    await services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=person,
        action="person.unlink",
        target=f"person:{person}",
        details={"account": wanted, "separated": f"person:{separated.person_id}"},
    )
    ctx.reply(
        ctx._(
            N_(
                "{account} is a separate account again: it starts anew, as a guest. Your other accounts keep your role, language and application."
            ),
            account=code(wanted),
        )
    )


@router.command(
    "deliver",
    description=N_("Choose where announcements and prompts reach you"),
    usage=N_("[platform]"),
    where=Where.DIRECT,
    topic=Topic.MEMBERS,
)
async def deliver(ctx: Ctx) -> None:
    services, person = ctx.services, _person(ctx)
    users = services.users
    platforms = sorted({i.platform for i in await users.identities(person)} & set(ctx.platforms))
    if not ctx.args:
        account = await users.delivery_account(person, ctx.platforms.keys())
        ctx.reply(
            ctx._(
                N_(
                    "Announcements and prompts reach you once, on {platform}. To choose, send {command} with one of: {platforms}."
                ),
                platform=account.identity.platform if account else "-",
                command=code(ctx.cmd("deliver")),
                platforms=", ".join(platforms),
            )
        )
        return
    chosen = ctx.args[0].lower()
    if chosen not in platforms:
        ctx.reply(
            ctx._(
                N_("You have no account on {platform} that I can reach. Choose one of: {platforms}."),
                platform=chosen,
                platforms=", ".join(platforms),
            )
        )
        return
    await services.repo(LinkedAccounts).set_delivery_platform(person, chosen)
    ctx.reply(ctx._(N_("Done: announcements and prompts will reach you on {platform}."), platform=chosen))
