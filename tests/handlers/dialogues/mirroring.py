"""Helpers for the mirrored-chat tests: the console next to the in-process "remote" platform.

The ``mirrored`` fixture itself is in this folder's ``conftest.py``.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.types import ChatRef, MessageDeleted, Role, UserRef
from storage.db import Database
from storage.models import Person, RelayedMessage, Reply
from storage.users import ProfileCache, UserRepository
from tests.fakes import Harness, MirrorPlatform
from tests.handlers.dialogues.test_commands import make_member

#: What the ``mirrored`` fixture gives: the console bot and the second platform it mirrors to.
Mirrored = tuple[Harness, MirrorPlatform]


async def remote_member(
    harness: Harness, name: str, role: Role = Role.MEMBER, *, banned: bool = False
) -> int:
    """Store remote user ``name`` (shown as "<Name> Diallo") with ``role``, maybe banned; their id."""
    now = harness.clock.now()
    async with harness.bot.db.transaction() as session:
        users = UserRepository(session)
        person = (await users.resolve(UserRef("remote", name, name.title()), now)).person_id
        await users.grant(person, role, now)
        (await session.get(Person, person)).display_name = f"{name.title()} Diallo"  # type: ignore[union-attr]
        if banned:
            await users.set_banned(person, now, "spam")
    harness.bot.shared.get(ProfileCache).forget(person)
    return person


async def seat_amina_and_bea(harness: Harness) -> None:
    """The two members who talk across the platforms: ``amina`` (console, Senegal) and ``bea`` (remote)."""
    await make_member(harness, "amina", "SN")
    await remote_member(harness, "bea")


async def settle(harness: Harness, remote: MirrorPlatform) -> tuple[list[str], list[str]]:
    """Handle what is queued and deliver the outbox; the lines each platform printed."""
    await harness.bot.drain()
    await harness.bot.settle()
    return harness.console.take(), remote.take()


async def count(db: Database, model: type[Reply] | type[RelayedMessage]) -> int:
    """How many rows of ``model`` are stored."""
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def bea_deletes(harness: Harness, message_id: str | None, *, event_id: str = "redaction-1") -> None:
    """``bea`` deletes her message ``message_id`` in the remote community chat (a Matrix redaction)."""
    await harness.bot.handle(
        MessageDeleted(
            event_id=event_id,
            sender=UserRef("remote", "bea", "Bea"),
            chat=ChatRef("remote", "community"),
            message_id=message_id or "",
        )
    )
