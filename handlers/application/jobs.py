"""Work on applications that nobody asks for: reminders and expiry, driven by the clock.

Each job computes what is due from ``ctx.services.now()`` and the database, so it is
safe to run at any interval, after a restart, or twice: a reminder is sent once per
quiet spell (``reminded_at``), an expired form is closed once. Their messages go to many
people, so they go through the durable outbox, written in the same unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.i18n import N_
from bot.core.text import Text, code
from bot.core.types import OutgoingMessage, Role, UserRef
from bot.services import Ctx
from handlers.application.common import Say, command, review_recipients, speaker
from storage.application.draft_cache import Draft
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application

#: How often the jobs run; the settings say when something is due.
FORM_CHECK_INTERVAL = timedelta(hours=1)
REVIEW_CHECK_INTERVAL = timedelta(days=1)
#: Moderators are reminded at most once in this time, however often the bot restarts.
REVIEW_REMINDER_GAP = timedelta(hours=20)
LAST_REVIEW_REMINDER = "applications.review_reminder_at"


async def remind_and_expire_forms(ctx: Ctx) -> None:
    """Remind applicants of forms left unanswered, and discard forms left too long."""
    settings, now = ctx.services.settings, ctx.services.now()
    repository = ctx.services.repo(ApplicationRepository)
    expiry = now - timedelta(days=settings.form_expiry_days)
    reminder = now - timedelta(days=settings.form_reminder_days)
    messages: list[OutgoingMessage] = []
    for application in await repository.idle_drafts(reminder):
        user = await _applicant_account(ctx, application)
        say = await _applicant_speaker(ctx, application, user)
        apply_ = code(command(ctx, user.platform, "apply"))
        if application.updated_at < expiry:
            await repository.close(Draft.of(application), Status.EXPIRED, now)
            await ctx.services.users.revoke(application.person_id, Role.APPLICANT)
            notice = N_(
                "Your unfinished application form has expired and was discarded. Send {apply} to start again."
            )
        elif application.reminded_at is None:
            await repository.mark_reminded(application.id, now)
            notice = N_(
                "Your application form is not finished yet. Send {apply} to continue where you left off."
            )
        else:
            continue
        messages.append(OutgoingMessage(user, say(notice, apply=apply_)))
    if messages:
        await ctx.services.outbox.broadcast("reminder", messages, now)


async def remind_reviewers(ctx: Ctx) -> None:
    """Tell moderators which applications have waited longer than ``review_reminder_days``."""
    settings, now = ctx.services.settings, ctx.services.now()
    last = await ctx.services.state.get(LAST_REVIEW_REMINDER)
    if isinstance(last, str) and now - datetime.fromisoformat(last) < REVIEW_REMINDER_GAP:
        return  # the bot restarted: moderators were reminded today already
    waiting = await ctx.services.repo(ApplicationRepository).submitted_before(
        now - timedelta(days=settings.review_reminder_days)
    )
    if not waiting:
        return
    await ctx.services.state.set(LAST_REVIEW_REMINDER, now.isoformat(), now)
    messages: list[OutgoingMessage] = []
    for recipient, locale in await review_recipients(ctx):
        say = speaker(ctx, locale)
        lines = [
            say(
                N_("These applications have been waiting for a decision for more than {days} days:"),
                days=settings.review_reminder_days,
            )
        ]
        lines.extend(
            say(
                N_("#{id}, sent on {date}"),
                id=item.id,
                date=item.submitted_at.date() if item.submitted_at else "?",
            )
            for item in waiting
        )
        messages.append(OutgoingMessage(recipient, Text.join("\n", lines)))
    if messages:
        await ctx.services.outbox.broadcast("reminder", messages, now)


async def _applicant_account(ctx: Ctx, application: Application) -> UserRef:
    """Where an applicant is reminded: their chosen account if they linked several, else the one they applied from."""
    account = await ctx.services.users.delivery_account(application.person_id, ctx.platforms.keys())
    return account.identity.ref if account else UserRef(application.platform, application.platform_user_id)


async def _applicant_speaker(ctx: Ctx, application: Application, user: UserRef) -> Say:
    person = await ctx.services.users.person(application.person_id)
    identity = await ctx.services.users.find(user.platform, user.id)
    locale = ctx.services.catalogs.choose(
        person.locale if person else None, identity.language if identity else None
    )
    return speaker(ctx, locale)


async def delete_old_rejections(ctx: Ctx) -> None:
    """Delete rejected applications older than ``COPBOT_RETENTION_DAYS`` (data minimisation)."""
    settings, now = ctx.services.settings, ctx.services.now()
    cutoff = now - timedelta(days=settings.retention_days)
    deleted = await ctx.services.repo(ApplicationRepository).delete_rejected_before(cutoff)
    if deleted:
        await ctx.services.audit.record(
            at=now, actor="system", action="application.retention", details={"deleted": deleted}
        )
