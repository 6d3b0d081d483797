"""The adapter in-process against Synapse: what ``copbot run`` does not show from outside."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from nio import RoomCreateResponse

from bot.config import Settings
from bot.core.errors import RecipientUnreachable
from bot.core.text import Text
from bot.core.types import Button, ChatRef, Event, IncomingMessage, JoinRequest, OutgoingMessage, UserRef
from bot.platforms.matrix import session
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.settings import MatrixSettings
from tests.platforms.matrix.conftest import PASSWORD, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import KNOCK_RULES, direct_chat, joined

pytestmark = pytest.mark.slow


def handled() -> asyncio.Future[None]:
    """What the bot's sink returns for an event it has already handled."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


def recording_sink(received: list[Event]) -> Callable[[Event], Awaitable[asyncio.Future[None]]]:
    """A sink that keeps every event and reports it handled at once."""

    async def sink(event: Event) -> asyncio.Future[None]:
        received.append(event)
        return handled()

    return sink


async def test_without_encryption_support_the_bot_says_so_and_works_in_clear_rooms(
    synapse: Synapse,
    members: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(session, "encryption_available", lambda: False)
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    settings = MatrixSettings(
        homeserver=synapse.url, user_id=bot_user, password=PASSWORD, store_path=tmp_path
    )
    platform = MatrixPlatform(settings, Settings(matrix=settings))
    received: list[Event] = []
    sink = recording_sink(received)

    with caplog.at_level(logging.WARNING):
        await platform.start(sink)
    try:
        assert "end-to-end encryption is unavailable" in caplog.text
        alice = await members("alice")
        room = await direct_chat(alice, bot_user)
        await alice.send(room, "hello")
        for _ in range(200):
            if received:
                break
            await asyncio.sleep(0.05)
        message = received[0]
        assert isinstance(message, IncomingMessage)
        assert (message.text, message.is_direct, message.chat.id) == ("hello", True, room)
        assert message.sender.key == f"matrix:{alice.user_id}"

        # A message to the user goes to the direct chat they opened, not a new one.
        ref = await platform.send(OutgoingMessage(UserRef("matrix", alice.user_id), Text.of("hi <there>")))
        assert ref.chat.id == room
        _, answer = await alice.wait_for_text("hi <there>", room)
        assert answer["content"]["formatted_body"] == "hi &lt;there&gt;"

        # A retried send (same outbox row key) is the same event: the server drops the repeat.
        again = OutgoingMessage(
            UserRef("matrix", alice.user_id), Text.of("only once"), idempotency_key="row-7"
        )
        assert (await platform.send(again)).id == (await platform.send(again)).id
        await alice.wait_for_text("only once", room)

        # A text over the limit goes in pieces; the options come under the last one.
        long = Text.of(*(f"line {number:04d} of a long text\n" for number in range(400)))
        button = Button("Understood", "ok:1")
        first = await platform.send(OutgoingMessage(UserRef("matrix", alice.user_id), long, ((button,),)))
        _, last = await alice.wait_for_text("line 0399", room)
        _, head = await alice.wait_for_text("line 0000", room)
        assert head["event_id"] == first.id != last["event_id"]
        assert last["content"]["body"].endswith("line 0399 of a long text\n\n1. Understood")
        assert len(head["content"]["body"]) <= platform.message_limit
        assert (
            sum("only once" in str(source.get("content", {}).get("body")) for _, source in alice.events) == 1
        )

        with pytest.raises(RecipientUnreachable):
            await platform.send(OutgoingMessage(UserRef("matrix", "@nobody-here:localhost"), Text.of("hi")))
    finally:
        await platform.stop()


async def test_a_login_revoked_elsewhere_is_replaced_by_a_new_one(synapse: Synapse, tmp_path: Path) -> None:
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    settings = MatrixSettings(
        homeserver=synapse.url, user_id=bot_user, password=PASSWORD, store_path=tmp_path, e2ee=False
    )

    sink = recording_sink([])

    first = MatrixPlatform(settings, Settings(matrix=settings))
    await first.start(sink)
    await first.stop()
    stored = first.store.credentials(synapse.url, bot_user)
    assert stored is not None

    second = MatrixPlatform(settings, Settings(matrix=settings))
    await second.start(sink)  # the same login again: no new device
    await second.stop()
    assert second.store.credentials(synapse.url, bot_user) == stored

    synapse.logout(stored.access_token)
    third = MatrixPlatform(settings, Settings(matrix=settings))
    await third.start(sink)
    await third.stop()
    renewed = third.store.credentials(synapse.url, bot_user)
    assert renewed is not None
    assert renewed.device_id != stored.device_id


async def test_a_batch_that_could_not_be_handed_over_comes_again(
    synapse: Synapse, members: Any, tmp_path: Path
) -> None:
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    settings = MatrixSettings(
        homeserver=synapse.url, user_id=bot_user, password=PASSWORD, store_path=tmp_path, e2ee=False
    )
    platform = MatrixPlatform(settings, Settings(matrix=settings))
    calls: list[Event] = []

    async def sink(event: Event) -> asyncio.Future[None]:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("the bot is not ready")
        return handled()

    await platform.start(sink)
    try:
        alice = await members("alice")
        room = await direct_chat(alice, bot_user)
        await alice.send(room, "once more")
        for _ in range(200):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [event.event_id for event in calls[:2]] == [calls[0].event_id] * 2
        assert isinstance(calls[1], IncomingMessage)
        assert calls[1].text == "once more"
    finally:
        await platform.stop()


async def test_a_space_as_community_admits_and_bans_in_the_space_and_posts_in_its_room(
    synapse: Synapse, members: Any, tmp_path: Path
) -> None:
    mod, nadia = await members("mod"), await members("nadia")
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    powers = {"users": {bot_user: 100}}
    room = await mod.client.room_create(name="dialogues", invite=[bot_user], power_level_override=powers)
    assert isinstance(room, RoomCreateResponse), room
    child = {"type": "m.space.child", "state_key": room.room_id, "content": {"via": ["localhost"]}}
    space = await mod.client.room_create(
        name="community",
        space=True,
        invite=[bot_user],
        initial_state=[KNOCK_RULES, child],
        power_level_override=powers,
    )
    assert isinstance(space, RoomCreateResponse), space
    settings = MatrixSettings(
        homeserver=synapse.url,
        user_id=bot_user,
        password=PASSWORD,
        store_path=tmp_path,
        e2ee=False,
        community_room=space.room_id,
    )
    platform = MatrixPlatform(settings, Settings(matrix=settings))
    received: list[Event] = []
    sink = recording_sink(received)

    await platform.start(sink)
    try:
        assert platform.community_chat == ChatRef("matrix", room.room_id)
        assert not hasattr(await nadia.client.room_knock(space.room_id, reason="hello"), "status_code")
        for _ in range(200):
            if any(isinstance(event, JoinRequest) for event in received):
                break
            await asyncio.sleep(0.05)
        knock = next(event for event in received if isinstance(event, JoinRequest))
        assert (knock.sender.id, knock.chat.id, knock.reason) == (nadia.user_id, space.room_id, "hello")

        await platform.admit_user(knock.sender)
        for room_id in (space.room_id, room.room_id):
            await nadia.wait_for(joined(nadia.user_id, room_id), what="Nadia joining")
        await platform.ban_user(knock.sender, "spam")
        for room_id in (space.room_id, room.room_id):
            await mod.wait_for(
                lambda r, s, room_id=room_id: (
                    r == room_id
                    and s.get("state_key") == nadia.user_id
                    and s.get("content", {}).get("membership") == "ban"
                ),
                what="Nadia banned",
            )
    finally:
        await platform.stop()
