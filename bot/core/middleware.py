"""Middleware: code that runs around every handler.

A middleware is an async callable ``(ctx, call_next)``; :func:`chain` composes a list of
them, outermost first, around the router's dispatch. The application's chain is::

    ErrorCapture          log + apologise, whatever happens inside
      FloodControl        per-user rate limit, in memory, before any database work
        UnitOfWork        (bot.unit_of_work) transaction, exactly-once claim, delivery after commit
          Identity        (bot.identity) resolve the person, their role and language
            Router.dispatch   route, role check, handler

The two in the middle need storage and live in the shell, :mod:`bot.unit_of_work` and
:mod:`bot.identity`; the core ones are here.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from bot.core.context import Context
from bot.core.delivery import flush
from bot.core.errors import UserFacingError
from bot.core.flood import FloodLimiter, Verdict
from bot.core.i18n import N_
from bot.core.text import Text

log = logging.getLogger(__name__)

Next = Callable[[Context[Any]], Awaitable[None]]


class Middleware(Protocol):
    async def __call__(self, ctx: Context[Any], call_next: Next) -> None: ...


def chain(middlewares: Sequence[Middleware], endpoint: Next) -> Next:
    """Compose ``middlewares`` (outermost first) around ``endpoint``, once."""
    handler = endpoint
    for middleware in reversed(middlewares):
        handler = _bind(middleware, handler)
    return handler


def _bind(middleware: Middleware, call_next: Next) -> Next:
    async def run(ctx: Context[Any]) -> None:
        await middleware(ctx, call_next)

    return run


class ErrorCapture:
    """Turns any failure into an answer; the bot keeps running.

    A :class:`UserFacingError` is answered with its own localized message. Any other
    exception is logged with a short error id, and the user gets an apology quoting it,
    so a moderator can find the traceback from a user's screenshot.
    """

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        try:
            await call_next(ctx)
        except UserFacingError as refusal:
            await self._answer(ctx, ctx._(refusal.msgid, **refusal.values))
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("error %s handling %s event %s", error_id, ctx.event.platform, ctx.event.event_id)
            apology = N_(
                "Sorry, something went wrong on my side (error {error_id}). Please try again; if it keeps happening, tell a moderator this error id."
            )
            await self._answer(ctx, ctx._(apology, error_id=error_id))

    @staticmethod
    async def _answer(ctx: Context[Any], text: Text) -> None:
        ctx.discard_effects()
        ctx.reply(text)
        await flush(ctx)


class FloodControl:
    """Refuses events from a user who sends faster than the limiter allows.

    It runs before the unit of work: a refused event costs no transaction, no claim and
    no lookup, so one account's flood never queues other people's messages behind its
    database work. The one warning is delivered here, in the language the context was
    made with (the sender's last known choice, else their platform's), and a refused
    event yields once to the loop so the drops of a flood interleave with other
    conversations instead of holding the loop.

    A platform of one :attr:`~bot.core.platform.Platform.local_operator` (the console) is
    not limited: its lines come from the person running the bot, often a piped script,
    and every line must be answered.
    """

    def __init__(self, limiter: FloodLimiter) -> None:
        self.limiter = limiter

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        if ctx.platform.local_operator:
            await call_next(ctx)
            return
        verdict = self.limiter.check(ctx.event.sender.key)
        if verdict is Verdict.ALLOW:
            await call_next(ctx)
            return
        if verdict is Verdict.WARN:
            ctx.reply(
                ctx._(N_("You are sending messages too fast. Please wait a few seconds and try again."))
            )
            await flush(ctx)
        else:
            await asyncio.sleep(0)
