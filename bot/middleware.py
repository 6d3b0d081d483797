"""The middleware that needs storage: the unit of work and identity resolution.

See :mod:`bot.core.middleware` for the whole chain and the platform-neutral parts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.core.clock import Clock
from bot.core.context import Actor, Context
from bot.core.delivery import flush
from bot.core.middleware import Next
from bot.core.types import Role
from bot.i18n import Catalogs, current_locale
from bot.services import Services
from storage.db import Database
from storage.events import ProcessedEvents

log = logging.getLogger(__name__)


class UnitOfWork:
    """One transaction per event, exactly-once claims, and delivery after commit.

    The event's id is claimed in the same transaction as the handler's writes. A
    redelivered event finds its claim and is skipped. When a handler fails, its writes
    are rolled back and the event is claimed alone, so a poisonous event is not retried
    forever. Queued replies and effects run only after a successful commit.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        services: Services = ctx.services
        event = ctx.event
        try:
            try:
                async with self.db.transaction() as session:
                    services.bind(session)
                    if not await services.events.claim(event.platform, event.event_id, self.clock.now()):
                        log.info("skipping %s event %s: already handled", event.platform, event.event_id)
                        return
                    await call_next(ctx)
            finally:
                services.release()  # after the commit: cached profiles, outbox wake-up
        except Exception:
            ctx.discard_effects()
            await self._claim_alone(event.platform, event.event_id)
            raise
        await flush(ctx)

    async def _claim_alone(self, platform: str, event_id: str) -> None:
        try:
            async with self.db.transaction() as session:
                await ProcessedEvents(session).claim(platform, event_id, self.clock.now())
        except Exception:
            log.exception("could not record failed %s event %s as handled", platform, event_id)


class Identity:
    """Resolves (or creates) the sender's person, their role and their language.

    Admins are the identities listed in ``COPBOT_ADMINS``; everyone else has the
    highest role stored for them. Authorization is always by platform user id, never
    by display name. Events from banned people stop here, unanswered.
    """

    def __init__(self, admins: Iterable[str], catalogs: Catalogs, clock: Clock) -> None:
        self.admins = frozenset(admins)
        self.catalogs = catalogs
        self.clock = clock

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        services: Services = ctx.services
        sender = ctx.event.sender
        profile = await services.users.resolve(sender, self.clock.now())
        admin = sender.key in self.admins
        if profile.banned and not admin:
            log.info("ignoring %s event from banned %s", ctx.event.platform, sender.key)
            return
        role = Role.ADMIN if admin else profile.role
        locale = self.catalogs.choose(profile.locale, sender.language)
        ctx.actor = Actor(profile.person_id, sender, role, locale, profile.display_name)
        ctx.translator = self.catalogs.translator(locale)
        token = current_locale.set(locale)
        try:
            await call_next(ctx)
        finally:
            current_locale.reset(token)
