"""Who is behind an event: the middleware that resolves the sender's person, role and language.

A middleware of the chain (see :mod:`bot.core.middleware`); it needs storage (the user
repository of the event's unit of work, :mod:`bot.unit_of_work`), so it lives in the shell.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.catalogs import Catalogs, current_locale
from bot.core.clock import Clock
from bot.core.context import Actor, Context
from bot.core.middleware import Next
from bot.core.types import Role
from bot.services import Services

log = logging.getLogger(__name__)


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
