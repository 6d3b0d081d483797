"""Replies survive a crash between commit and send: exactly once where a platform drops a
repeat, at least once (only the sends in flight repeated) where it cannot."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Capability, EventSink, Platform
from bot.core.router import Router
from bot.core.types import Attachment, ChatRef, IncomingMessage, MessageRef, OutgoingMessage, UserRef
from bot.services import Ctx
from handlers import build_router
from storage.db import Database
from storage.models import PendingReply
from tests.fakes import FakeClock, Harness


class Server:
    """The platform's side: drops a send whose idempotency key it has seen, as Synapse does."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.keys: dict[str, int] = {}


class IdempotentPlatform(Platform):
    """An in-process platform whose sends carry idempotency keys to a :class:`Server`.

    ``hang_before`` never reaches the server with that text (the process dies first);
    ``hang_after`` reaches it and never hears back.
    """

    name = "idem"
    capabilities = frozenset({Capability.IDEMPOTENT_SEND, Capability.SEND_DOCUMENT})

    def __init__(
        self, server: Server, *, hang_before: str | None = None, hang_after: str | None = None
    ) -> None:
        self.server = server
        self.drops_repeats = Capability.IDEMPOTENT_SEND in self.capabilities
        self.hang_before = hang_before
        self.hang_after = hang_after
        self.keys: list[str | None] = []

    async def start(self, sink: EventSink) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: OutgoingMessage) -> MessageRef:
        text = str(message.text)
        key = message.idempotency_key
        self.keys.append(key)
        if text == self.hang_before:
            await asyncio.Event().wait()
        if key is None or key not in self.server.keys or not self.drops_repeats:
            self.server.received.append(text)
            if key is not None:
                self.server.keys[key] = len(self.server.received)
        if text == self.hang_after:
            await asyncio.Event().wait()
        return MessageRef(ChatRef(self.name, message.to.id), str(len(self.server.received)))

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        return None

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        return await self.send(opening)


class RepeatingPlatform(IdempotentPlatform):
    """As Telegram: no idempotency key, so the server receives a repeated send twice."""

    name = "idem"
    capabilities = frozenset({Capability.SEND_DOCUMENT})


def router() -> Router:
    probe = Router("probe")

    @probe.command("two")
    async def two(ctx: Ctx) -> None:
        ctx.reply("first")
        ctx.reply("second")

    @probe.command("file")
    async def file(ctx: Ctx) -> None:
        ctx.reply("a file", attachments=[Attachment("a.txt", b"a", "text/plain")])

    @probe.command("refuse")
    async def refuse(ctx: Ctx) -> None:
        ctx.reply("not this")
        raise UserFacingError(N_("Something went wrong on our side."))

    root = build_router()
    root.include(probe)
    return root


def event(text: str, event_id: str, platform: str = "idem") -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef(platform, "alice"),
        chat=ChatRef(platform, "alice"),
        is_direct=True,
        text=text,
    )


async def journalled(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(PendingReply)) or 0)


async def until(check: object, patience: float = 5.0) -> None:
    async with asyncio.timeout(patience):
        while not check():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def crash_mid_send(
    db: Database,
    tmp_path: Path,
    clock: FakeClock,
    server: Server,
    kind: type[IdempotentPlatform] = IdempotentPlatform,
    **hang: str,
) -> None:
    """``/two`` is committed, ``first`` sent, and the bot stops while ``second`` hangs."""
    platform = kind(server, **hang)
    harness = await Harness.start(db, tmp_path, router=router(), extra_platforms=[platform], clock=clock)
    await harness.bot.handle(event("/two", "e1"))
    await until(lambda: platform.keys[1:])  # the second send has begun
    await harness.bot.stop(grace=0.05)  # as a kill would: the send never finishes
    assert await journalled(db) == 2, "the event's replies were not journalled with it"


@pytest.mark.parametrize("cut", ["hang_before", "hang_after"])
async def test_replies_cut_off_by_a_crash_go_out_exactly_once_at_the_next_start(
    db: Database, tmp_path: Path, clock: FakeClock, cut: str
) -> None:
    server = Server()
    await crash_mid_send(db, tmp_path, clock, server, **{cut: "second"})
    assert server.received == (["first"] if cut == "hang_before" else ["first", "second"])

    restarted = IdempotentPlatform(server)
    harness = await Harness.start(db, tmp_path, router=router(), extra_platforms=[restarted], clock=clock)
    try:
        assert server.received == ["first", "second"], "each reply reaches the user exactly once"
        assert all(key and key.startswith("reply-") for key in restarted.keys)
        assert len(restarted.keys) == 2, "both journalled replies were sent again, with their keys"
        assert await journalled(db) == 0, "sent again, the replies were forgotten"
        await harness.bot.handle(event("/two", "e1"))  # the unconfirmed event comes back
        await harness.bot.drain()
        assert server.received == ["first", "second"], "the redelivered event was handled again"
    finally:
        await harness.stop()


@pytest.mark.parametrize("cut", ["hang_before", "hang_after"])
async def test_without_idempotency_a_crash_repeats_only_the_sends_in_flight(
    db: Database, tmp_path: Path, clock: FakeClock, cut: str
) -> None:
    server = Server()
    await crash_mid_send(db, tmp_path, clock, server, RepeatingPlatform, **{cut: "second"})
    before = list(server.received)
    assert before == (["first"] if cut == "hang_before" else ["first", "second"])

    restarted = RepeatingPlatform(server)
    harness = await Harness.start(db, tmp_path, router=router(), extra_platforms=[restarted], clock=clock)
    try:
        assert server.received == [*before, "first", "second"], "the event's replies were sent again"
        assert set(server.received) == {"first", "second"}, "a reply was lost"
        in_flight = 2  # the event's two sends: neither was confirmed as a whole before the crash
        assert len(server.received) - 2 <= in_flight
        assert await journalled(db) == 0, "sent again, the replies were forgotten"
    finally:
        await harness.stop()


async def test_replies_left_longer_than_the_replay_window_are_dropped_not_sent(
    db: Database, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server()
    await crash_mid_send(db, tmp_path, clock, server, hang_before="second")
    clock.advance(timedelta(hours=2))
    with caplog.at_level(logging.WARNING, logger="bot.reply_journal"):
        harness = await Harness.start(
            db, tmp_path, router=router(), extra_platforms=[IdempotentPlatform(server)], clock=clock
        )
    try:
        assert server.received == ["first"]
        assert await journalled(db) == 0
        assert "dropping 2 idem replies" in caplog.text
    finally:
        await harness.stop()


async def test_replies_are_journalled_on_every_platform_but_the_console(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    server = Server()
    platform = IdempotentPlatform(server)
    harness = await Harness.start(db, tmp_path, router=router(), extra_platforms=[platform], clock=clock)
    try:
        await harness.bot.handle(event("/two", "e1"))
        await harness.bot.drain()
        assert await journalled(db) == 2, "committed with the event, until forgotten"
        harness.bot.replies.forget_every = 0  # the next transaction takes the delivered along
        await harness.bot.handle(event("/two", "e1b"))
        await harness.bot.drain()
        assert await journalled(db) == 2, "the next event's transaction did not forget the first's"
        await harness.bot.replies.forget()  # what an idle bot does on its own
        assert await journalled(db) == 0

        await harness.say("/two")  # the console is one operator's terminal: not journalled
        await harness.bot.handle(event("/file", "e2"))  # files are not kept in the database
        await harness.bot.handle(event("/refuse", "e3"))  # rolled back with its event
        await harness.bot.drain()
        assert await journalled(db) == 0
        assert server.received[4:] == ["a file", "Something went wrong on our side."]
        assert platform.keys[4:] == [None, None]
    finally:
        await harness.stop()
