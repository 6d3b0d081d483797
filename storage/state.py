"""Small named values the bot keeps between runs (sample data version, sync tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotState
from storage.repository import Shared


class StateStore:
    """Reads and writes ``bot_state`` within one unit of work."""

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``; it keeps nothing between units of work."""
        return cls(session)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
