"""Confirmations: a command that cannot be undone waits for its author's button press.

A moderator's announcement, ban or cancelled dialogue cannot be taken back, so the command
only asks: :meth:`Confirmation.ask` keeps the pending action in ``bot_state`` under a short
random token and shows two buttons (do it / do not); the feature's button route hands the
press to :meth:`Confirmation.answer`, which returns the action only if the press is

* by the person who asked (in a shared moderators' chat, anyone can press a button),
* within the question's lifetime, and
* the first answer: taking the question is one ``DELETE ... RETURNING``, so a double tap,
  or a press redelivered after a restart, acts once.

Every other press is answered in the presser's language and changes nothing. The question
lives in the database (``bot_state``, under :data:`~storage.state.QUESTION_PREFIX`), so a
restart between the question and the press loses nothing; forgetting a person drops the
questions they asked or that are about them.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.i18n import N_
from bot.core.text import Fragment
from bot.core.types import Button
from bot.services import Ctx
from storage.state import QUESTION_PREFIX

#: 8 URL-safe characters: unguessable enough, and a payload far below Telegram's 64 bytes.
TOKEN_BYTES = 6
#: How long an expired question is kept, so that a late press is told it expired rather
#: than that nothing is known of it; older ones are swept when a new question is asked.
KEPT_AFTER_EXPIRY = timedelta(days=1)
YES, NO = "yes", "no"

ALREADY_ANSWERED = N_(
    "This question has already been answered, or is no longer valid; nothing more was done."
)


@dataclass(frozen=True, slots=True)
class Answer:
    """A valid press: whether the author confirmed, and the action they were asked about."""

    confirmed: bool
    action: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One kind of question (a ban, an announcement), answered by its buttons' namespace.

    Attributes:
        namespace: the button namespace the feature routes to its answer handler
            (``@router.button(namespace)``).
        lifetime: how long the question may be answered.
    """

    namespace: str
    lifetime: timedelta = timedelta(hours=1)

    async def ask(
        self,
        ctx: Ctx,
        question: Fragment,
        action: Mapping[str, Any],
        *,
        confirm: str,
        cancel: str,
        about: Collection[int] = (),
    ) -> None:
        """Keep ``action`` pending and reply with ``question`` and its two buttons.

        Args:
            ctx: the command's context; its actor is the only one who may answer.
            question: what is asked, in the actor's language.
            action: what the answer handler needs to act (JSON-serializable).
            confirm: the translated label of the button that does it.
            cancel: the translated label of the button that does not.
            about: the people the action concerns (person ids): forgetting one of them
                (``/forget``) drops the question, which may hold words about them.
        """
        state, now = ctx.services.state, ctx.services.now()
        await state.forget_older(QUESTION_PREFIX, now - self.lifetime - KEPT_AFTER_EXPIRY)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        pending = {
            "owner": ctx.actor.person_id,
            "name": ctx.actor.display_name,
            "asked_at": now.isoformat(),
            "about": sorted(about),
            "action": dict(action),
        }
        await state.set(self._key(token), pending, now)
        buttons = [
            Button(confirm, f"{self.namespace}:{YES}:{token}"),
            Button(cancel, f"{self.namespace}:{NO}:{token}"),
        ]
        ctx.reply(question, buttons=[buttons])

    async def answer(self, ctx: Ctx) -> Answer | None:
        """The press in ``ctx``, if it is a valid answer; else ``None``, the presser told why."""
        payload = ctx.message.button if ctx.message is not None and ctx.message.button else ""
        _namespace, choice, token = [*payload.split(":"), "", ""][:3]
        state = ctx.services.state
        key = self._key(token)
        pending = await state.get(key) if token and choice in (YES, NO) else None
        if not isinstance(pending, dict):
            ctx.reply(ctx._(ALREADY_ANSWERED))
            return None
        if pending.get("owner") != ctx.actor.person_id:
            ctx.reply(
                ctx._(
                    N_("Only {name}, who asked, can answer this question; nothing was done."),
                    name=str(pending.get("name") or "?"),
                )
            )
            return None
        if ctx.services.now() >= datetime.fromisoformat(str(pending["asked_at"])) + self.lifetime:
            await state.take(key)
            minutes = int(self.lifetime.total_seconds() // 60)
            ctx.reply(
                ctx.ngettext(
                    "This question expired after {n} minute; nothing was done. Send the command again if you still want it.",
                    "This question expired after {n} minutes; nothing was done. Send the command again if you still want it.",
                    minutes,
                )
            )
            return None
        if await state.take(key) is None:  # another press of the same button took it first
            ctx.reply(ctx._(ALREADY_ANSWERED))
            return None
        return Answer(choice == YES, dict(pending["action"]))

    def _key(self, token: str) -> str:
        return f"{QUESTION_PREFIX}{self.namespace}.{token}"
