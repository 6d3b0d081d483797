"""The privacy rule on Matrix, against a real Synapse: a moderator's ``!member`` in the
community room is answered in the bot's direct chat with them; the room gets one note."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platforms.matrix.test_live import community, direct_chat, joined

pytestmark = pytest.mark.slow


async def test_a_member_card_asked_for_in_the_community_room_goes_to_the_direct_chat(
    members: Any, bots: Any
) -> None:
    mod = await members("mod")
    nadia = await members("nadia")
    bot = bots(admins=f"matrix:{mod.user_id}")
    rooms = await community(mod, bot.user_id)
    bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"], bot.env["COPBOT_MATRIX__MODERATOR_ROOM"] = rooms
    bot.start()
    await mod.wait_for(joined(bot.user_id, rooms[0]), what="the bot in the community room")
    theirs = await direct_chat(nadia, bot.user_id)
    await nadia.send(theirs, "!help")  # the bot knows Nadia now
    await nadia.wait_for_text("!help", theirs)
    dm = await direct_chat(mod, bot.user_id)
    await mod.send(dm, "!help")
    await mod.wait_for_text("!help", dm)

    await mod.send(rooms[0], f"!member matrix:{nadia.user_id}")
    _, card = await mod.wait_for_text(f"matrix:{nadia.user_id}", dm)
    assert card["content"]["body"].startswith("Member #")
    await mod.wait_for_text("I answered you privately.", rooms[0])
    said = [
        source["content"].get("body", "")
        for room, source in mod.events
        if room == rooms[0] and source.get("sender") == bot.user_id and source.get("type") == "m.room.message"
    ]
    assert said == [
        "I answered you privately. If nothing arrived, open a private chat with me and send !start."
    ]

    await mod.send(rooms[1], f"!member matrix:{nadia.user_id}")  # the moderators' room: answered there
    await mod.wait_for_text(f"matrix:{nadia.user_id}", rooms[1])
