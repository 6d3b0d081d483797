"""Small named values the bot keeps between runs (sample data version, sync tokens, pending questions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage.models import BotState
from storage.repository import SessionRepository

#: Questions waiting for a button press (``bot/forms/confirmation.py``) are kept under this
#: prefix; each value names its ``owner`` and the people it is ``about`` (person ids), so
#: that forgetting a person drops the questions that name them.
QUESTION_PREFIX = "confirm."


class StateStore(SessionRepository):
    """Reads and writes ``bot_state`` within one unit of work."""

    async def get(self, key: str, default: Any = None) -> Any:
        row = await self.session.get(BotState, key)
        return default if row is None else row.value

    async def set(self, key: str, value: Any, now: datetime) -> None:
        row = await self.session.get(BotState, key)
        if row is None:
            self.session.add(BotState(key=key, value=value, updated_at=now))
        else:
            row.value = value
            row.updated_at = now
        await self.session.flush()

    async def pop(self, key: str, default: Any = None) -> Any:
        """Remove a value and return it (``default`` if there was none)."""
        row = await self.session.get(BotState, key)
        if row is None:
            return default
        value = row.value
        await self.session.delete(row)
        await self.session.flush()
        return value

    async def take(self, key: str) -> Any:
        """Remove a value and return it, or ``None`` if another unit of work took it first.

        One ``DELETE ... RETURNING`` statement: of two transactions taking the same key at
        once, exactly one gets the value (what makes a confirmation button act once).
        """
        taken = await self.session.execute(
            delete(BotState).where(BotState.key == key).returning(BotState.value),
            execution_options={"synchronize_session": "fetch"},
        )
        row = taken.first()
        return None if row is None else row[0]

    async def forget_older(self, prefix: str, before: datetime) -> None:
        """Remove the values under ``prefix`` last written before ``before``."""
        await self.session.execute(
            delete(BotState).where(
                BotState.key.startswith(prefix, autoescape=True), BotState.updated_at < before
            ),
            execution_options={"synchronize_session": "fetch"},
        )

    async def forget_questions_naming(self, person_id: int) -> None:
        """Remove the pending questions asked by, or about, a person (they are being forgotten)."""
        rows = await self.session.scalars(
            select(BotState).where(BotState.key.startswith(QUESTION_PREFIX, autoescape=True))
        )
        for row in rows:
            value = row.value if isinstance(row.value, dict) else {}
            if value.get("owner") == person_id or person_id in value.get("about", ()):
                await self.session.delete(row)
        await self.session.flush()
