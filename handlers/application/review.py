"""The moderators' side: notification, ``/applications``, ``/application``, ``/approve``, ``/reject``.

Buttons and commands do the same thing. A decision is claimed atomically (only a
submitted application can be decided), so of two moderators acting at once one decides
and the other is told who did. Every decision goes into the audit log.
"""

from __future__ import annotations

import hashlib

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, Role, UserRef
from bot.forms import Form
from bot.services import Ctx
from handlers.application.common import (
    REVIEW_BUTTONS,
    STATUS_NAMES,
    admit,
    answers_of,
    command,
    form_of,
    review_recipients,
    speaker,
    summary_lines,
)
from handlers.application.form import COUNTRY_FIELD, NAME_FIELD
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application

router = Router("review")

#: Applications per page of ``/applications``.
PAGE_SIZE = 10


async def notify_reviewers(ctx: Ctx, form: Form, application: Application) -> None:
    """Send every moderator the application with Approve / Reject buttons, in their language."""
    for recipient, locale in await review_recipients(ctx):
        ctx.send(
            recipient,
            _card(ctx, form, application, locale, new=True),
            buttons=_decision_buttons(ctx, application, locale),
        )


def _card(ctx: Ctx, form: Form, application: Application, locale: str, *, new: bool = False) -> Text:
    say = speaker(ctx, locale)
    gettext = ctx.services.catalogs.translator(locale).gettext
    answers = answers_of(form, application)
    heading = (
        say(N_("New application #{id} from {name}:"), id=application.id, name=_name(application))
        if new
        else say(
            N_("Application #{id} from {name} ({status}):"),
            id=application.id,
            name=_name(application),
            status=gettext(STATUS_NAMES[application.status]),
        )
    )
    return Text.join("\n", [heading, *summary_lines(form, answers, gettext, locale)])


def _decision_buttons(ctx: Ctx, application: Application, locale: str) -> list[list[Button]]:
    gettext = ctx.services.catalogs.translator(locale).gettext
    return [
        [
            Button(gettext(N_("Approve")), f"{REVIEW_BUTTONS}:a:{application.id}"),
            Button(gettext(N_("Reject")), f"{REVIEW_BUTTONS}:r:{application.id}"),
        ]
    ]


def _name(application: Application) -> str:
    return str(application.answers.get(NAME_FIELD) or application.platform_user_id)


# -- listing and showing --------------------------------------------------------------


@router.command(
    "applications",
    role=Role.MODERATOR,
    description=N_("List the applications waiting for a decision"),
    usage=N_("[page]"),
    topic=Topic.APPLICATIONS,
)
async def applications(ctx: Ctx) -> None:
    page = int(ctx.args[0]) if ctx.args and ctx.args[0].isdigit() and int(ctx.args[0]) > 0 else 1
    await _list(ctx, page)


async def _list(ctx: Ctx, page: int) -> None:
    repository = ctx.services.repo(ApplicationRepository)
    total = await repository.count_pending()
    if total == 0:
        ctx.reply(ctx._(N_("No application is waiting for a decision.")))
        return
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(page, pages)
    lines: list[Text] = [
        ctx._(N_("Applications waiting for a decision (page {page} of {pages}):"), page=page, pages=pages)
    ]
    for item in await repository.pending(PAGE_SIZE, (page - 1) * PAGE_SIZE):
        lines.append(
            ctx._(
                N_("#{id} {name}, sent on {date}"),
                id=item.id,
                name=bold(_name(item)),
                date=f"{item.submitted_at:%Y-%m-%d}",
            )
        )
    lines.append(ctx._(N_("Send {command} to see one."), command=code(ctx.cmd("application") + " <id>")))
    buttons = []
    if page < pages:
        buttons.append([Button(ctx.gettext(N_("Next page")), f"{REVIEW_BUTTONS}:p:{page + 1}")])
    ctx.reply(Text.join("\n", lines), buttons=buttons)


@router.command(
    "application",
    role=Role.MODERATOR,
    description=N_("Show one application"),
    usage=N_("<id>"),
    topic=Topic.APPLICATIONS,
)
async def application(ctx: Ctx) -> None:
    found = await _requested(ctx, ctx.args)
    buttons = _decision_buttons(ctx, found, ctx.actor.locale) if found.status == Status.SUBMITTED else []
    ctx.reply(_card(ctx, form_of(ctx), found, ctx.actor.locale), buttons=buttons)


# -- deciding -------------------------------------------------------------------------


@router.command(
    "approve",
    role=Role.MODERATOR,
    description=N_("Approve an application"),
    usage=N_("<id>"),
    topic=Topic.APPLICATIONS,
)
async def approve(ctx: Ctx) -> None:
    await _decide(ctx, await _requested(ctx, ctx.args), None)


@router.command(
    "reject",
    role=Role.MODERATOR,
    description=N_("Reject an application, with the reason"),
    usage=N_("<id> <reason>"),
    topic=Topic.APPLICATIONS,
)
async def reject(ctx: Ctx) -> None:
    found = await _requested(ctx, ctx.args)
    reason = _reason(ctx)
    if not reason:
        raise UserFacingError(
            N_("Please give the reason, which the applicant will read: {command}"),
            command=code(f"{ctx.cmd('reject')} {found.id} <reason>"),
        )
    await _decide(ctx, found, reason)


@router.button(REVIEW_BUTTONS, role=Role.MODERATOR)
async def review_button(ctx: Ctx) -> None:
    payload = ctx.message.button if ctx.message and ctx.message.button else ""
    _namespace, action, argument = [*payload.split(":"), "", ""][:3]
    if action == "p" and argument.isdigit():
        await _list(ctx, int(argument))
        return
    found = await _requested(ctx, (argument,))
    if action == "a":
        await _decide(ctx, found, None)
    elif action == "r":
        if await _already_decided(ctx, found):
            return
        await ctx.services.state.set(_reason_key(ctx), found.id, ctx.services.now())
        ctx.reply(
            ctx._(
                N_(
                    "Write the reason for rejecting application #{id} in your next message here; the applicant will read it."
                ),
                id=found.id,
            ),
            buttons=[[Button(ctx.gettext(N_("Keep it waiting")), f"{REVIEW_BUTTONS}:k:{found.id}")]],
        )
    elif action == "k":
        await ctx.services.state.pop(_reason_key(ctx))
        ctx.reply(ctx._(N_("Application #{id} is still waiting for a decision."), id=found.id))


def _reason_key(ctx: Ctx) -> str:
    """Where a moderator's pending "reject, reason follows" is kept (per chat and person)."""
    event = ctx.event
    who = hashlib.sha256(f"{event.platform}|{event.chat.id}|{event.sender.id}".encode()).hexdigest()
    return f"review.reason:{who[:32]}"


async def _writing_reason(ctx: Ctx) -> bool:
    """Whether this plain message is the reason for a rejection the moderator started."""
    message = ctx.message
    if message is None or message.edited or not message.text or not ctx.actor.has(Role.MODERATOR):
        return False
    return await ctx.services.state.get(_reason_key(ctx)) is not None


@router.message(filter=_writing_reason, role=Role.MODERATOR)
async def rejection_reason(ctx: Ctx) -> None:
    application_id = await ctx.services.state.pop(_reason_key(ctx))
    text = ctx.message.text.strip() if ctx.message and ctx.message.text else ""
    await _decide(ctx, await _requested(ctx, (str(application_id),)), text)


def _reason(ctx: Ctx) -> str:
    """The text after ``/reject <id>``, verbatim (spacing kept)."""
    text = ctx.message.text if ctx.message and ctx.message.text else ""
    parts = text.strip().split(None, 2)
    return parts[2].strip() if len(parts) > 2 else ""


async def _requested(ctx: Ctx, args: tuple[str, ...]) -> Application:
    if not args or not args[0].lstrip("#").isdigit():
        raise UserFacingError(
            N_("Please give the number of the application, such as {example}."), example=code("12")
        )
    found = await ctx.services.repo(ApplicationRepository).get(int(args[0].lstrip("#")))
    if found is None or found.status in (Status.DRAFT, Status.CANCELLED):
        raise UserFacingError(N_("There is no application #{id}."), id=args[0].lstrip("#"))
    return found


async def _already_decided(ctx: Ctx, found: Application) -> bool:
    if found.status == Status.SUBMITTED:
        return False
    if found.status in (Status.APPROVED, Status.REJECTED):
        msgid = (
            N_("Application #{id} was already approved by {name} on {date}.")
            if found.status == Status.APPROVED
            else N_("Application #{id} was already rejected by {name} on {date}.")
        )
        date = f"{found.decided_at:%Y-%m-%d %H:%M} UTC" if found.decided_at else ""
        ctx.reply(ctx._(msgid, id=found.id, name=found.decided_by_name or "?", date=date))
    else:
        ctx.reply(ctx._(N_("Application #{id} is not waiting for a decision."), id=found.id))
    return True


async def _decide(ctx: Ctx, found: Application, reason: str | None) -> None:
    if await _already_decided(ctx, found):
        return
    now = ctx.services.now()
    approved = reason is None
    status = Status.APPROVED if approved else Status.REJECTED
    repository = ctx.services.repo(ApplicationRepository)
    if not await repository.decide(
        found.id, status, now, ctx.actor.person_id, ctx.actor.display_name, reason
    ):
        # another moderator decided between our read and our write: say who
        await repository.reload(found)
        await _already_decided(ctx, found)
        return
    users = ctx.services.users
    await users.revoke(found.person_id, Role.APPLICANT)
    if approved:
        await users.grant(found.person_id, Role.MEMBER, now, granted_by=ctx.actor.person_id)
        country = found.answers.get(COUNTRY_FIELD)
        if isinstance(country, str) and len(country) == 2:
            await users.set_country(found.person_id, country)
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action=f"application.{'approve' if approved else 'reject'}",
        target=f"application:{found.id}",
        reason=reason,
        details={"person_id": found.person_id},
    )
    await _tell_applicant(ctx, found, approved, reason)
    done = (
        N_("Application #{id} from {name} approved: they are now a member.")
        if approved
        else N_("Application #{id} from {name} rejected; they have been told the reason.")
    )
    ctx.reply(ctx._(done, id=found.id, name=_name(found)))


async def _tell_applicant(ctx: Ctx, found: Application, approved: bool, reason: str | None) -> None:
    identity = await ctx.services.users.find(found.platform, found.platform_user_id)
    person = await ctx.services.users.person(found.person_id)
    user = identity.ref if identity is not None else UserRef(found.platform, found.platform_user_id)
    locale = ctx.services.catalogs.choose(person.locale if person else None, user.language)
    say = speaker(ctx, locale)
    if approved:
        ctx.send(
            user,
            say(
                N_(
                    "Good news: your application #{id} has been approved. Welcome to the community of practice!"
                ),
                id=found.id,
            ),
        )
        platform = ctx.platforms.get(found.platform)
        if platform is not None:
            ctx.after_commit(lambda: admit(platform, user))
    else:
        ctx.send(
            user,
            say(
                N_(
                    "Your application #{id} has not been accepted. The moderators wrote: {reason}\n\nYou can apply again at any time with {apply}."
                ),
                id=found.id,
                reason=reason or "",
                apply=code(command(ctx, found.platform, "apply")),
            ),
        )
