"""Prompts by direct message: who subscribed, and which delivered message carried which prompt.

A member who ``/subscribe``s gets each prompt in a direct chat as well as in its thread;
answering that message counts as a reply to the prompt, so the outbox row that carried
it is remembered (``prompt_copies``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from storage.models import DialogueSubscription, Identity, OutboxMessage, PromptCopy
from storage.recipients import delivery_accounts
from storage.repository import SessionRepository


class Subscriptions(SessionRepository):
    """Subscriptions to prompts and the direct-message copies they are sent as.

    Args:
        session: the unit of work's session.
    """

    async def record_copies(self, prompt_id: int, outbox_ids: Sequence[int]) -> None:
        """Remember the outbox rows that carry a prompt to its subscribers."""
        if outbox_ids:
            await self.session.execute(
                insert(PromptCopy), [{"prompt_id": prompt_id, "outbox_id": row} for row in outbox_ids]
            )

    async def copy_of(self, platform: str, recipient_id: str, message_id: str) -> int | None:
        """The prompt that the delivered message ``message_id`` to ``recipient_id`` carried, if any."""
        query = (
            select(PromptCopy.prompt_id)
            .join(OutboxMessage, OutboxMessage.id == PromptCopy.outbox_id)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.recipient_id == recipient_id,
                OutboxMessage.message_id == message_id,
            )
        )
        return (await self.session.execute(query.limit(1))).scalar_one_or_none()

    async def subscribe(self, person_id: int, now: datetime) -> bool:
        if await self.session.get(DialogueSubscription, person_id) is not None:
            return False
        self.session.add(DialogueSubscription(person_id=person_id, created_at=now))
        await self.session.flush()
        return True

    async def unsubscribe(self, person_id: int) -> bool:
        result = await self.session.execute(
            delete(DialogueSubscription).where(DialogueSubscription.person_id == person_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def subscribers(
        self, platform: str, among: Collection[str] | None = None
    ) -> list[tuple[Identity, str | None]]:
        """The subscribers reached on ``platform``, each with their language.

        Args:
            platform: where the prompt is being sent now.
            among: every platform the prompt goes to. A person with linked accounts on
                several of them is reached once, on the one
                :func:`storage.recipients.delivery_accounts` chooses. Defaults to
                ``platform`` alone.
        """
        subscribed = select(DialogueSubscription.person_id)
        accounts = await delivery_accounts(self.session, subscribed, among or (platform,))
        return [
            (account.identity, account.locale)
            for account in sorted(accounts.values(), key=lambda account: account.identity.id)
            if account.identity.platform == platform
        ]
