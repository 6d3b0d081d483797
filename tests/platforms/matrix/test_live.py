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


#: Answers to the default application form, in order, up to the summary.
ANSWERS = [
    "Nadia Khan",
    "nadia@example.org",
    "Independent",
    "Trainer",
    "Kenia",
    "English, French",
    "1, 4",
    "12",
    "government, media",
    "I want to learn from other trainers and share my materials.",
    "!skip",
    "yes",
    "yes",
]
KNOCK_RULES = {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "knock"}}


async def community(mod: Member, bot_user_id: str) -> tuple[str, str]:
    """The community room (version 12, knocking allowed) and the moderators' room (version 10)."""
    rooms = []
    for version, users in (("12", {bot_user_id: 100}), ("10", {mod.user_id: 100, bot_user_id: 50})):
        response = await mod.client.room_create(
            name=f"room v{version}",
            room_version=version,
            invite=[bot_user_id],
            initial_state=[KNOCK_RULES] if version == "12" else [],
            power_level_override={"users": users},
        )
        assert isinstance(response, RoomCreateResponse), response
        rooms.append(str(response.room_id))
    return rooms[0], rooms[1]


async def answer(member: Member, room_id: str, text: str, bot_user_id: str) -> Source:
    """Send ``text`` and return the bot's next message in the room."""
    seen = len(member.events)
    await member.send(room_id, text)

    def later(room: str, source: Source) -> bool:
        return (
            room == room_id and source.get("sender") == bot_user_id and source.get("type") == "m.room.message"
        )

    return (await member.wait_for(lambda r, s: member.events.index((r, s)) >= seen and later(r, s)))[1]


async def test_a_knock_becomes_an_application_that_a_moderator_approves(members: Any, bots: Any) -> None:
    mod = await members("mod")
    nadia = await members("nadia")
    bot = bots(admins=f"matrix:{mod.user_id}")
    rooms = await community(mod, bot.user_id)
    bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"], bot.env["COPBOT_MATRIX__MODERATOR_ROOM"] = rooms
    bot.start()
    await mod.wait_for(joined(bot.user_id, rooms[0]), what="the bot in the community room")

    knocked = await nadia.client.room_knock(rooms[0], reason="I train trainers")
    assert not hasattr(knocked, "status_code"), knocked
    dm, _ = await nadia.wait_for_text("Question 1 of 13")
    for text in ANSWERS:
        last = await answer(nadia, dm, text, bot.user_id)
    assert last["content"]["body"].startswith("Please check your answers.")
    assert last["content"]["body"].endswith("14. Submit")
    await nadia.send(dm, "14")  # the number of a button presses it
    await nadia.wait_for_text("has been sent to the moderators", dm)

    _, card = await mod.wait_for_text("New application #1 from Nadia Khan", rooms[1])
    assert card["content"]["body"].endswith("1. Approve\n2. Reject")
    await mod.send(rooms[1], "1", {"m.in_reply_to": {"event_id": card["event_id"]}})
    await nadia.wait_for_text("has been approved", dm)
    await mod.wait_for(joined(nadia.user_id, rooms[0]), what="Nadia in the community room")
