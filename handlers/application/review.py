"""The moderators' side: ``/applications``, ``/application``, ``/approve``, ``/reject``, ``/ask``.

Buttons and commands do the same thing. A decision is claimed atomically (only a
submitted application can be decided), so of two moderators acting at once one decides
and the other is told who did, when and why. A rejection's reason and a question to the
applicant are written deliberately (:mod:`~handlers.application.notes`): shown back to
their writer, and sent only on Send. Every decision goes into the audit log and into the
application's history (:mod:`storage.application.history`). An approval names the new
member by the full name of their form and tells them what now
(:mod:`~handlers.application.welcome`).
"""

from __future__ import annotations

from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, Role
from bot.services import Ctx
from handlers.application import notes
from handlers.application.cards import (
    applicant_name,
    applicant_of,
    card,
    decision_buttons,
    history_lines,
    moment,
)
from handlers.application.common import REVIEW_BUTTONS, admit, command, form_of, speaker
from handlers.application.form import COUNTRY_FIELD
from handlers.application.revision import applicant_address, send_back
from handlers.application.welcome import form_name, welcome_text
from storage.application.history import ApplicationHistory, Step
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application

router = Router("review")

#: Applications per page of ``/applications``.
PAGE_SIZE = 10


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
                name=bold(applicant_name(item)),
                date=item.submitted_at.date() if item.submitted_at else "?",
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
    form, locale = form_of(ctx), ctx.actor.locale
    buttons = decision_buttons(ctx, found, locale) if found.status == Status.SUBMITTED else []
    shown = card(ctx, form, found, await applicant_of(ctx, found), locale)
    ctx.reply(Text.join("\n", [shown, *await history_lines(ctx, form, found)]), buttons=buttons)


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
    usage=N_("<id> [reason]"),
    topic=Topic.APPLICATIONS,
)
async def reject(ctx: Ctx) -> None:
    await _start_note(ctx, notes.REJECT)


@router.command(
    "ask",
    role=Role.MODERATOR,
    description=N_("Send an application back to its applicant with a question"),
    usage=N_("<id> [question]"),
    topic=Topic.APPLICATIONS,
)
async def ask(ctx: Ctx) -> None:
    await _start_note(ctx, notes.ASK)


async def _start_note(ctx: Ctx, kind: str) -> None:
    """``/reject <id> [reason]``, ``/ask <id> [question]``: show a given text back, else ask for it."""
    found = await _requested(ctx, ctx.args)
    if await _already_decided(ctx, found):
        return
    text = _text_after_id(ctx)
    if text:
        await notes.show_back(ctx, found.id, kind, text)
    else:
        await notes.ask_for_text(ctx, found.id, kind)


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
    elif action in ("r", "q"):
        if not await _already_decided(ctx, found):
            await notes.ask_for_text(ctx, found.id, notes.REJECT if action == "r" else notes.ASK)
    elif action == "k":
        note = await notes.pending(ctx)
        if note is not None and note.application_id == found.id:
            await notes.drop(ctx)
        ctx.reply(ctx._(N_("Application #{id} is still waiting for a decision."), id=found.id))
    elif action in ("S", "E"):
        await _note_button(ctx, found, action)


async def _note_button(ctx: Ctx, found: Application, action: str) -> None:
    """Send or Edit under a note shown back: only its writer's own note, in this chat, counts."""
    note = await notes.pending(ctx)
    if note is None or note.application_id != found.id or note.text is None:
        ctx.reply(
            ctx._(
                N_(
                    "You have nothing waiting to be sent about application #{id}: it was sent, "
                    "dropped, or it lapsed after 10 minutes."
                ),
                id=found.id,
            )
        )
        return
    if action == "E":
        await notes.ask_for_text(ctx, found.id, note.kind)
        return
    await notes.drop(ctx)
    if note.kind == notes.REJECT:
        await _decide(ctx, found, note.text)
    elif not await _already_decided(ctx, found) and not await send_back(ctx, found, note.text):
        await _someone_acted_first(ctx, found)


def _text_after_id(ctx: Ctx) -> str:
    """The text after ``/reject <id>`` or ``/ask <id>``, verbatim (spacing kept)."""
    text = ctx.message.text if ctx.message and ctx.message.text else ""
    parts = text.strip().split(None, 2)
    return parts[2].strip() if len(parts) > 2 else ""


async def _requested(ctx: Ctx, args: tuple[str, ...]) -> Application:
    if not args or not args[0].lstrip("#").isdigit():
        raise UserFacingError(
            N_("Please give the number of the application, such as {example}."), example=code("12")
        )
    found = await ctx.services.repo(ApplicationRepository).get(int(args[0].lstrip("#")))
    # a draft is no application yet, unless it was sent once and is being changed
    unsent = found is not None and found.status == Status.DRAFT and found.submitted_at is None
    if found is None or unsent or found.status == Status.CANCELLED:
        raise UserFacingError(N_("There is no application #{id}."), id=args[0].lstrip("#"))
    return found


async def _already_decided(ctx: Ctx, found: Application) -> bool:
    """Say who decided, when and why, if the application is not waiting for a decision."""
    if found.status == Status.SUBMITTED:
        return False
    name, date = found.decided_by_name or "?", moment(ctx, found.decided_at)
    if found.status == Status.APPROVED:
        ctx.reply(
            ctx._(
                N_("Application #{id} was already approved by {name} on {date}."),
                id=found.id,
                name=name,
                date=date,
            )
        )
    elif found.status == Status.REJECTED:
        ctx.reply(
            ctx._(
                N_("Application #{id} was already rejected by {name} on {date}, with this reason: {reason}"),
                id=found.id,
                name=name,
                date=date,
                reason=found.reason or "-",
            )
        )
    elif found.status in (Status.NEEDS_CHANGES, Status.DRAFT):
        asked = await ctx.services.repo(ApplicationHistory).last_question(found.id)
        ctx.reply(
            ctx._(
                N_(
                    "Application #{id} went back to the applicant: {name} asked on {date}: {question}\n"
                    "It comes back to the moderators when the applicant sends it again."
                ),
                id=found.id,
                name=(asked.actor_name if asked else None) or "?",
                date=moment(ctx, asked.at if asked else None),
                question=(asked.note if asked else None) or "-",
            )
        )
    else:
        ctx.reply(ctx._(N_("Application #{id} is not waiting for a decision."), id=found.id))
    return True


async def _someone_acted_first(ctx: Ctx, found: Application) -> None:
    await ctx.services.repo(ApplicationRepository).reload(found)
    await _already_decided(ctx, found)


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
        await _someone_acted_first(ctx, found)
        return
    users = ctx.services.users
    await users.revoke(found.person_id, Role.APPLICANT)
    if approved:
        await users.grant(found.person_id, Role.MEMBER, now, granted_by=ctx.actor.person_id)
        name = form_name(found)
        if name is not None:  # known by the name from the form from now on
            await users.name_from_form(found.person_id, name)
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
    await ctx.services.repo(ApplicationHistory).record(
        found.id,
        Step.APPROVED if approved else Step.REJECTED,
        now,
        by=ctx.actor.person_id,
        by_name=ctx.actor.display_name,
        note=reason,
    )
    await _tell_applicant(ctx, found, approved, reason)
    done = (
        N_("Application #{id} from {name} approved: they are now a member.")
        if approved
        else N_("Application #{id} from {name} rejected; they have been told the reason.")
    )
    ctx.reply(ctx._(done, id=found.id, name=applicant_name(found)))


async def _tell_applicant(ctx: Ctx, found: Application, approved: bool, reason: str | None) -> None:
    user, locale = await applicant_address(ctx, found)
    say = speaker(ctx, locale)
    if approved:
        ctx.send(user, await welcome_text(ctx, found, locale))
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
