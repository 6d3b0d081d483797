"""The Matrix adapter against a real Synapse: the bot runs as ``copbot run``, members are nio clients."""

from __future__ import annotations

from typing import Any

import pytest
from nio import RoomCreateResponse, RoomPreset

from tests.platforms.matrix.conftest import Member, Source

pytestmark = pytest.mark.slow

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def joined(user_id: str, room_id: str) -> Any:
    def check(room: str, source: Source) -> bool:
        return (
            room == room_id
            and source.get("type") == "m.room.member"
            and source.get("state_key") == user_id
            and source.get("content", {}).get("membership") == "join"
        )

    return check


async def direct_chat(member: Member, bot_user_id: str, *, encrypted: bool = False) -> str:
    """A direct chat the member opens with the bot, as Element does; returns once the bot joined."""
    response = await member.client.room_create(
        is_direct=True,
        invite=[bot_user_id],
        preset=RoomPreset.trusted_private_chat,
        initial_state=[ENCRYPTION] if encrypted else [],
    )
    assert isinstance(response, RoomCreateResponse), response
    await member.wait_for(joined(bot_user_id, response.room_id), what="the bot joining")
    return str(response.room_id)


async def test_the_bot_answers_in_a_direct_chat(members: Any, bots: Any) -> None:
    bot = bots()
    bot.start()
    alice = await members("alice")
    room = await direct_chat(alice, bot.user_id)
    await alice.send(room, "!help")
    _, answer = await alice.wait_for_text("!", room)
    assert answer["content"]["format"] == "org.matrix.custom.html"
