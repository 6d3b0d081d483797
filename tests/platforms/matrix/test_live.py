"""The Matrix adapter against a real Synapse: the bot runs as ``copbot run``, members are nio clients."""

from __future__ import annotations

import asyncio
import collections
import json
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import RoomCreateResponse, RoomPreset

from tests.fakes import form_answers
from tests.platforms.matrix.conftest import ROOT, BotProcess, Member, Source

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
    _, shown = await alice.wait_for_text("!", room)
    assert shown["content"]["format"] == "org.matrix.custom.html"
    trips = []
    for _ in range(10):
        seen = len(alice.events)
        started = time.monotonic()
        await answer(alice, room, "!wiki", bot.user_id)
        trips.append(time.monotonic() - started)
        assert len(alice.events) > seen
    print(f"round trip member → bot → member: median {sorted(trips)[5] * 1000:.0f} ms")


#: Answers to the default application form, in order, up to the summary.
ANSWERS = form_answers("Nadia Khan", "nadia@example.org", "!")
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


async def test_a_knock_becomes_an_application_that_a_moderator_approves_and_a_ban_bans(
    members: Any, bots: Any
) -> None:
    mod = await members("mod")
    nadia = await members("nadia", encrypted=True)  # the bot's direct chat with her is encrypted
    bot = bots(admins=f"matrix:{mod.user_id}")
    rooms = await community(mod, bot.user_id)
    bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"], bot.env["COPBOT_MATRIX__MODERATOR_ROOM"] = rooms
    await mod.send(rooms[1], "!wiki m999x")  # history: the bot's first run must not answer it
    bot.start()
    await mod.wait_for(joined(bot.user_id, rooms[0]), what="the bot in the community room")

    knocked = await nadia.client.room_knock(rooms[0], reason="I train trainers")
    assert not hasattr(knocked, "status_code"), knocked
    dm, question = await nadia.wait_for_text("Question 1 of 13")
    assert question["decrypted"], "the bot's direct chat is not encrypted"
    token = json.loads((bot.workdir / "matrix" / "credentials.json").read_text())["access_token"]
    direct = mod.synapse.request(
        "GET", f"/_matrix/client/v3/user/{bot.user_id}/account_data/m.direct", token=token
    )
    assert direct[nadia.user_id] == [dm], "the direct chat is not recorded in m.direct"
    for text in ANSWERS:
        last = await answer(nadia, dm, text, bot.user_id)
    assert last["content"]["body"].startswith("Please check your answers.")
    assert last["content"]["body"].endswith("14. Submit\n15. Cancel")  # the summary's Submit and Cancel
    await nadia.send(dm, "14")  # the number of a button presses it
    await nadia.wait_for_text("has been sent to the moderators", dm)

    _, card = await mod.wait_for_text("New application #1 from Nadia Khan", rooms[1])
    assert card["content"]["body"].endswith("1. Approve\n2. Reject\n3. Ask for more information")
    reacted = await mod.client.room_send(  # 1️⃣ on the card presses option 1
        rooms[1],
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": card["event_id"], "key": "1\ufe0f\u20e3"}},
    )
    assert not hasattr(reacted, "status_code"), reacted
    await nadia.wait_for_text("has been approved", dm)
    await mod.wait_for(joined(nadia.user_id, rooms[0]), what="Nadia in the community room")
    assert answered(mod, rooms[1], bot.user_id) == {}, "the first run answered old history"

    await mod.send(rooms[1], f"!ban matrix:{nadia.user_id} spam")
    _, question = await mod.wait_for_text("for this reason: spam?", rooms[1])  # /ban asks first
    reacted = await mod.client.room_send(  # 1️⃣ on the question presses Ban
        rooms[1],
        "m.reaction",
        {
            "m.relates_to": {
                "rel_type": "m.annotation",
                "event_id": question["event_id"],
                "key": "1\ufe0f\u20e3",
            }
        },
    )
    assert not hasattr(reacted, "status_code"), reacted
    await mod.wait_for(
        lambda room, source: (
            room == rooms[0]
            and source.get("type") == "m.room.member"
            and source.get("state_key") == nadia.user_id
            and source.get("content", {}).get("membership") == "ban"
        ),
        what="Nadia banned from the community room",
    )


def programme(path: Path) -> Path:
    """A dialogue that opened yesterday with one prompt due a minute ago."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    path.write_text(
        "slug: matrix-test\ntimezone: UTC\n"
        f"start: {(now - timedelta(days=1)).date()}\nend: {(now + timedelta(days=7)).date()}\n"
        "title:\n  en: Matrix test dialogue\n"
        f"prompts:\n  - at: {due}\n    text:\n      en: What works in your trainings?\n",
        encoding="utf-8",
    )
    return path


def replies(bot: BotProcess) -> list[tuple[str, str, bool, bool]]:
    """The stored replies: message id, text, edited, deleted."""
    with sqlite3.connect(bot.workdir / "bot.db") as db:
        rows = db.execute(
            "SELECT message_id, text, edited_at, deleted_at FROM replies ORDER BY id"
        ).fetchall()
    return [(row[0], row[1], row[2] is not None, row[3] is not None) for row in rows]


async def eventually(check: Any, patience: float = 20.0, show: Any = None) -> None:
    deadline = time.monotonic() + patience
    while not check():
        assert time.monotonic() < deadline, f"the condition did not come true in time: {show and show()}"
        await asyncio.sleep(0.1)


async def test_replies_in_a_prompts_thread_are_stored_edited_and_deleted_and_exported(
    members: Any, bots: Any, tmp_path: Path
) -> None:
    mod, alice, bob = await members("mod"), await members("alice"), await members("bob")
    bot = bots(admins=",".join(f"matrix:{member.user_id}" for member in (mod, alice, bob)))
    rooms = await community(mod, bot.user_id)
    bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"] = rooms[0]
    for member in (alice, bob):  # the community room asks to knock: members are invited
        assert not hasattr(await mod.client.room_invite(rooms[0], member.user_id), "status_code")
    bot.cli("dialogue", "import", str(programme(tmp_path / "dialogue.yaml")))
    bot.start()

    _, root = await alice.wait_for_text("What works in your trainings?", rooms[0])
    thread = {"rel_type": "m.thread", "event_id": root["event_id"], "is_falling_back": True}
    thread["m.in_reply_to"] = {"event_id": root["event_id"]}
    first = await alice.send(rooms[0], "Role plays.", thread)
    second = await bob.send(rooms[0], "Case studies from the region.", thread)
    await eventually(lambda: len(replies(bot)) == 2)
    assert replies(bot) == [
        (first, "Role plays.", False, False),
        (second, "Case studies from the region.", False, False),
    ]

    await alice.send(
        rooms[0],
        "* Role plays, then a debrief.",
        {"rel_type": "m.replace", "event_id": first},
        **{"m.new_content": {"msgtype": "m.text", "body": "Role plays, then a debrief."}},
    )
    redacted = await bob.client.room_redact(rooms[0], second)
    assert not hasattr(redacted, "status_code"), redacted
    await eventually(lambda: replies(bot)[0][2] and replies(bot)[1][3], show=lambda: replies(bot))
    assert replies(bot) == [
        (first, "Role plays, then a debrief.", True, False),
        (second, "Case studies from the region.", False, True),
    ]

    dm = await direct_chat(mod, bot.user_id)
    await mod.send(dm, "!export 1 csv")
    _, document = await mod.wait_for(
        lambda room, source: room == dm and source.get("content", {}).get("msgtype") == "m.file",
        what="the export as a file",
    )
    assert document["content"]["body"] == "dialogue-1.csv"
    assert document["content"]["url"].startswith("mxc://")
    await mod.send(dm, "!stats")
    _, chart = await mod.wait_for(
        lambda room, source: room == dm and source.get("content", {}).get("msgtype") == "m.image",
        what="the /stats chart as an image",
    )
    assert chart["content"]["info"]["mimetype"] == "image/png"


async def test_wiki_works_in_an_encrypted_direct_chat(members: Any, bots: Any) -> None:
    alice = await members("alice", encrypted=True)
    bot = bots(admins=f"matrix:{alice.user_id}")  # the wiki is for members
    bot.cli("wiki", "import", str(ROOT / "handlers" / "wiki" / "sample"))
    bot.start()
    room = await direct_chat(alice, bot.user_id, encrypted=True)
    await alice.send(room, "!wiki eige")
    _, found = await alice.wait_for_text("European Institute for Gender Equality", room)
    assert found["decrypted"], "the bot answered in clear text"


def answered(member: Member, room_id: str, bot_user_id: str) -> collections.Counter[str]:
    """How many times the bot answered each ``mNNNx`` marker in the room."""
    counts: collections.Counter[str] = collections.Counter()
    for room, source in member.events:
        body = source.get("content", {}).get("body", "")
        if room == room_id and source.get("sender") == bot_user_id and isinstance(body, str):
            counts.update(re.findall(r"m\d{3}x", body))
    return counts


async def test_a_bot_killed_mid_stream_handles_every_message_exactly_once_and_fills_the_gap(
    members: Any, bots: Any
) -> None:
    alice = await members("alice")
    bot = bots(admins=f"matrix:{alice.user_id}")
    bot.start()
    room = await direct_chat(alice, bot.user_id)
    # 120 messages while the bot is down: more than a sync's timeline holds (100), so
    # the restarted bot gets a "limited" timeline and must fetch the gap.
    markers = [f"m{number:03d}x" for number in range(150)]
    for marker in markers[:30]:
        await alice.send(room, f"!wiki {marker}")
    await eventually(lambda: len(answered(alice, room, bot.user_id)) >= 5)
    bot.kill()
    before = len(answered(alice, room, bot.user_id))
    assert before < 30, "every message was answered before the kill"
    for marker in markers[30:]:
        await alice.send(room, f"!wiki {marker}")
    bot.start()
    await eventually(
        lambda: len(answered(alice, room, bot.user_id)) == len(markers),
        patience=90,
        show=lambda: (
            f"never answered: {sorted(set(markers) - set(answered(alice, room, bot.user_id)))}; "
            f"{alice.gaps} gaps in alice's syncs"
        ),
    )
    await asyncio.sleep(2)  # a duplicate would come now
    counts = answered(alice, room, bot.user_id)
    assert alice.gaps == 0, "alice's client skipped events: the counts prove nothing"
    assert bot.output().count("logged in to") == 1, "the restarted bot logged in again"
    assert set(counts) == set(markers), "some messages were never handled"
    assert [marker for marker, count in counts.items() if count > 1] == [], "some were handled twice"
    assert re.search(r"fetched [1-9]\d* events missed", bot.output()), (
        "no gap was filled: the test proves nothing"
    )
