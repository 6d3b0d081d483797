"""Two bots on one PostgreSQL database and one Matrix account take turns at syncing.

Both log in and can send; only the holder of the ``matrix-receiving`` lease syncs. When it
stops, the other takes the lease and resumes from the sync token the first confirmed in
the database, so a message sent while neither synced is answered, and answered once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import CopBot
from bot.config import Settings
from bot.core.text import Text
from bot.core.types import OutgoingMessage, UserRef
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.settings import MatrixSettings
from storage.sync_tokens import StoredSyncTokens
from tests.platforms.matrix.conftest import PASSWORD, Member, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import direct_chat
from tests.postgres import Unreachable, fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (no lease or token of another test); its URL."""
    try:
        async with fresh_database("copbot_turns") as url:
            yield url
    except Unreachable as error:
        pytest.skip(str(error))


async def until(condition: Callable[[], bool], what: str, patience: float = 20.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > patience:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def platform_of(bot: CopBot) -> MatrixPlatform:
    platform = bot.platforms["matrix"]
    assert isinstance(platform, MatrixPlatform)
    return platform


STANDBY = "from the instance standing by"


def answers(member: Member, room: str, bot_user: str) -> list[str]:
    """The bot's answers in ``room`` (not what the test made the standby send)."""
    bodies = [
        str(source["content"].get("body"))
        for room_id, source in member.events
        if room_id == room and source.get("sender") == bot_user and source.get("type") == "m.room.message"
    ]
    return [body for body in bodies if body != STANDBY]


async def test_only_the_holder_syncs_and_the_next_resumes_from_its_token(
    synapse: Synapse, members: Any, database: str, tmp_path: Path
) -> None:
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    # One login (one device) for both: a send repeated by the other instance is dropped.
    token = synapse.login(bot_user, PASSWORD)

    def make(number: int) -> CopBot:
        matrix = MatrixSettings.model_validate(
            {
                "homeserver": synapse.url,
                "user_id": bot_user,
                "access_token": token,
                "store_path": tmp_path / f"matrix{number}",
                "e2ee": False,
            }
        )
        settings = Settings.model_validate(
            {
                "database_url": database,
                "sample_data": False,
                "files_dir": tmp_path / f"files{number}",
                "flood": {"rate": 1000, "burst": 1000},
                "matrix": matrix,
            }
        )
        return CopBot(settings, [MatrixPlatform(matrix, settings)])

    first, second = make(1), make(2)
    running: list[CopBot] = []
    await first.start()
    running.append(first)
    try:
        await until(lambda: platform_of(first).receiving, "the first bot syncing")
        await second.start()
        running.append(second)
        assert not platform_of(second).receiving
        assert first.leases.holds("matrix-receiving")
        assert not second.leases.holds("matrix-receiving")

        alice = await members("alice")
        room = await direct_chat(alice, bot_user)  # the holder accepts the invitation
        await alice.send(room, "!help")
        await until(lambda: len(answers(alice, room, bot_user)) == 1, "the first answer")
        assert not platform_of(second).receiving  # standing by: still no sync of its own

        # The standby sends too, to the direct chat opened after it started (not a new one).
        ref = await platform_of(second).send(
            OutgoingMessage(UserRef("matrix", alice.user_id), Text.of(STANDBY))
        )
        assert ref.chat.id == room
        await alice.wait_for_text(STANDBY, room)
        assert not platform_of(second).receiving

        # The holder confirmed a token in the database, not only in its store.
        saved = await StoredSyncTokens(first.db, "matrix").load(bot_user)
        assert saved is not None

        running.remove(first)
        await first.stop()  # gives the lease back
        await alice.send(room, "!help")  # while nobody syncs
        took = await until(lambda: platform_of(second).receiving, "the second bot syncing")
        await until(lambda: len(answers(alice, room, bot_user)) == 2, "the answer after the takeover")
        await asyncio.sleep(2.0)  # an answer repeated (a replayed batch) would show now
        assert len(answers(alice, room, bot_user)) == 2
        assert second.leases.holds("matrix-receiving")
        # The second bot confirmed further than the first had.
        assert await StoredSyncTokens(second.db, "matrix").load(bot_user) not in (None, saved)
        print(f"the second bot synced {took:.1f} s after the first gave the lease back")
    finally:
        for bot in running:
            await bot.stop()
