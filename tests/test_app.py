"""The whole pipeline: ordering, exactly-once, error capture, commit before reply."""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import re
import weakref
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.catalogs import available_locales
from bot.core.errors import PlatformError, UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Capability
from bot.core.router import Router
from bot.core.types import ChatRef, CommandMenu, IncomingMessage, MenuScope, Role, UserRef
from bot.heap import freeze_start_up_heap
from bot.platforms.console import ConsolePlatform
from bot.services import Ctx
from bot.unit_of_work import UnitOfWork
from handlers import build_router
from storage.db import Database
from storage.models import AuditEntry, BotState, ProcessedEvent
from storage.state import StateStore
from tests.fakes import Harness, RemoteConsole


def with_probe(probe: Router) -> Router:
    root = build_router()
    root.include(probe)
    return root


def direct(user: str, text: str, event_id: str, platform: str = "console") -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef(platform, user),
        chat=ChatRef(platform, user),
        is_direct=True,
        text=text,
    )


async def test_a_redelivered_event_takes_effect_once(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("count")
    async def count(ctx: Ctx) -> None:
        value = await ctx.services.state.get("count", 0) + 1
        await ctx.services.state.set("count", value, ctx.services.now())
        ctx.reply(f"count={value}")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    try:
        for _ in range(3):
            await harness.bot.handle(direct("alice", "/count", "same-id"))
        await harness.bot.handle(direct("alice", "/count", "other-id"))
        await harness.bot.drain()
        assert harness.console.take() == ["[alice] count=1", "[alice] count=2"]
    finally:
        await harness.stop()


async def test_handle_resolves_once_the_event_is_committed(db: Database, tmp_path: Path) -> None:
    """Adapters confirm an event to their server (offset, sync token) only when this resolves."""
    probe = Router("probe")
    release = asyncio.Event()

    @probe.command("slow")
    async def slow(ctx: Ctx) -> None:
        await ctx.services.state.set("slow", "done", ctx.services.now())
        await release.wait()

    @probe.command("boom")
    async def boom(ctx: Ctx) -> None:
        raise RuntimeError("boom")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    try:
        handled = await harness.bot.handle(direct("alice", "/slow", "slow-1"))
        await asyncio.sleep(0.05)
        assert not handled.done()
        release.set()
        await asyncio.wait_for(handled, 5)
        async with db.transaction() as session:
            assert await StateStore(session).get("slow") == "done"
        failed = await harness.bot.handle(direct("bob", "/boom", "boom-1"))
        await asyncio.wait_for(failed, 5)  # a failure is handled too (logged, apologised for)
        release.clear()
        stuck = await harness.bot.handle(direct("carol", "/slow", "slow-2"))
    finally:
        await harness.bot.stop(grace=0.1)
    assert stuck.cancelled()  # stopped before it committed: the adapter must not confirm it


def counting_probe() -> Router:
    """``/count`` marks its sender counted; ``/boom`` writes, then fails."""
    probe = Router("probe")

    @probe.command("count")
    async def count(ctx: Ctx) -> None:
        await ctx.services.state.set(f"counted.{ctx.actor.user.id}", True, ctx.services.now())
        ctx.reply(f"counted {ctx.actor.user.id}")

    @probe.command("boom")
    async def boom(ctx: Ctx) -> None:
        await ctx.services.state.set("boom", "written", ctx.services.now())
        raise RuntimeError("boom")

    return probe


async def counted(db: Database) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(BotState).where(BotState.key.like("counted.%"))
            )
            or 0
        )


async def test_events_ready_together_share_one_commit_on_sqlite(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, router=with_probe(counting_probe()))
    begins = 0

    def count_begins(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal begins
        begins += statement.startswith("BEGIN")

    event.listen(db.engine.sync_engine, "before_cursor_execute", count_begins)
    try:
        users = [f"user{n}" for n in range(20)]
        await asyncio.gather(*(harness.bot.handle(direct(u, "/count", f"c-{u}")) for u in users))
        await harness.bot.drain()
        assert sorted(harness.console.take()) == sorted(f"[{u}] counted {u}" for u in users)
        assert await counted(db) == 20
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count_begins)
        await harness.stop()
    if db.dialect == "sqlite":  # one writer anyway: events ready together commit together
        assert begins < 20 / 2
    else:  # PostgreSQL runs transactions side by side; each event has its own
        assert not UnitOfWork(db, harness.clock).group_commit


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # group commit is SQLite's
async def test_a_group_whose_transaction_cannot_open_hands_its_events_over_one_by_one(
    db: Database, tmp_path: Path
) -> None:
    harness = await Harness.start(db, tmp_path, router=with_probe(counting_probe()))
    original, calls = db.sessions, 0

    class Unavailable:
        async def __aenter__(self) -> None:
            await asyncio.sleep(0.01)  # long enough for the other events to join the group
            raise RuntimeError("the database is gone for a moment")

        async def __aexit__(self, *exc: object) -> None:
            return None

    def flaky() -> Any:
        nonlocal calls
        calls += 1
        return Unavailable() if calls == 1 else original()

    db.sessions = flaky  # type: ignore[method-assign]
    try:
        users = ["ana", "ben", "cy"]
        handled = await asyncio.gather(*(harness.bot.handle(direct(u, "/count", f"f-{u}")) for u in users))
        await asyncio.wait_for(asyncio.gather(*handled), 5)
        assert sorted(harness.console.take()) == [f"[{u}] counted {u}" for u in users]
        assert await counted(db) == 3
    finally:
        db.sessions = original  # type: ignore[method-assign]
        await harness.stop()


async def test_a_failing_event_costs_the_events_committed_with_it_nothing(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await Harness.start(db, tmp_path, router=with_probe(counting_probe()))
    try:
        with caplog.at_level(logging.ERROR):
            handled = await asyncio.gather(
                harness.bot.handle(direct("alice", "/count", "a-1")),
                harness.bot.handle(direct("bob", "/boom", "b-1")),
                harness.bot.handle(direct("carol", "/count", "c-1")),
            )
            await asyncio.gather(*handled)
        lines = harness.console.take()
        assert "[alice] counted alice" in lines
        assert "[carol] counted carol" in lines
        assert next(line for line in lines if line.startswith("[bob]")).startswith(
            "[bob] Sorry, something went wrong on my side"
        )
        assert len(lines) == 3, lines  # everyone answered once
        assert await counted(db) == 2
        async with db.transaction() as session:
            assert await StateStore(session).get("boom") is None  # rolled back
            claimed = await session.scalars(
                select(ProcessedEvent.event_id).where(ProcessedEvent.event_id.in_(["a-1", "b-1", "c-1"]))
            )
        assert sorted(claimed) == ["a-1", "b-1", "c-1"]  # the failed one too: not retried forever
        for event_id in ("a-1", "b-1", "c-1"):  # a redelivery changes nothing
            await harness.bot.handle(direct("dave", "/count", event_id))
        await harness.bot.drain()
        assert harness.console.take() == []
    finally:
        await harness.stop()


async def test_a_failing_handler_gets_an_apology_with_an_error_id_and_the_bot_goes_on(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    probe = Router("probe")

    @probe.command("crash")
    async def crash(ctx: Ctx) -> None:
        await ctx.services.state.set("half-done", True, ctx.services.now())
        ctx.reply("this reply must not be sent")
        raise ZeroDivisionError("bug")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    try:
        with caplog.at_level(logging.ERROR):
            lines = await harness.say("/crash", lang="fr")
        assert len(lines) == 1
        match = re.search(r"\(erreur ([0-9a-f]{8})\)", lines[0])
        assert match, lines
        assert f"error {match.group(1)}" in caplog.text
        assert "ZeroDivisionError" in caplog.text
        async with db.transaction() as session:
            assert await StateStore(session).get("half-done") is None  # rolled back
            # the poisonous event is recorded so a redelivery does not crash again
            # (system jobs, such as the dialogue catch-up at start-up, record theirs too)
            console_events = select(func.count()).where(ProcessedEvent.platform == "console")
            assert await session.scalar(console_events) == 1
        assert (await harness.say("/help"))[0] == "[alice] Commandes que vous pouvez utiliser :"
    finally:
        await harness.stop()


async def test_a_user_facing_error_is_answered_in_the_users_language(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("refuse")
    async def refuse(ctx: Ctx) -> None:
        raise UserFacingError(N_("Sorry, {command} is for {role} only."), command="/x", role="y")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    try:
        assert await harness.say("/refuse", lang="es") == ["[alice] Lo siento, /x es solo para y."]
    finally:
        await harness.stop()


async def test_state_is_committed_before_the_reply_is_sent(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("save")
    async def save(ctx: Ctx) -> None:
        await ctx.services.state.set("saved", ctx.args[0], ctx.services.now())
        ctx.reply("saved")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    seen_at_send: list[Any] = []
    original_send = harness.console.send

    async def send_and_look(message: Any) -> Any:
        async with db.transaction() as session:
            seen_at_send.append(await StateStore(session).get("saved"))
        return await original_send(message)

    harness.console.send = send_and_look  # type: ignore[method-assign]
    try:
        await harness.say("/save v1")
        assert seen_at_send == ["v1"]
    finally:
        await harness.stop()


async def test_one_users_slow_request_does_not_hold_up_others(db: Database, tmp_path: Path) -> None:
    """A slow send to one chat (a platform's retry_after, a large upload) delays only that chat.

    Handlers do no network I/O inside their transaction, so the slow part of a request
    is its delivery; it runs after commit, in the conversation's own sequencer lane.
    """
    probe = Router("probe")
    release = asyncio.Event()
    order: list[str] = []

    @probe.command("ping")
    async def ping(ctx: Ctx) -> None:
        order.append(f"handled {ctx.actor.user.id} {ctx.args[0]}")
        ctx.reply(f"pong {ctx.args[0]}")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    original_send = harness.console.send

    async def slow_for_alice(message: Any) -> Any:
        if message.to.id == "alice" and not release.is_set():
            await release.wait()
        order.append(f"sent {message.to.id} {message.text}")
        if message.to.id == "bob":
            release.set()
        return await original_send(message)

    harness.console.send = slow_for_alice  # type: ignore[method-assign]
    try:
        await harness.bot.handle(direct("alice", "/ping 1", "1"))
        await harness.bot.handle(direct("alice", "/ping 2", "2"))  # waits for alice's first reply
        await harness.bot.handle(direct("bob", "/ping 3", "3"))  # does not
        await asyncio.wait_for(harness.bot.drain(), 5)
        assert sorted(order) == sorted(
            [
                "handled alice 1",
                "handled bob 3",
                "sent bob pong 3",
                "sent alice pong 1",
                "handled alice 2",
                "sent alice pong 2",
            ]
        )
        position = order.index
        # bob was answered while alice's first reply was stuck ...
        assert position("sent bob pong 3") < position("sent alice pong 1")
        # ... and alice's messages stayed in order behind her own slow reply
        assert position("sent alice pong 1") < position("handled alice 2") < position("sent alice pong 2")
    finally:
        await harness.stop()


async def test_messages_of_one_user_are_handled_in_order(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("append")
    async def append(ctx: Ctx) -> None:
        items = await ctx.services.state.get("items", [])
        await asyncio.sleep(0)  # invite interleaving
        await ctx.services.state.set("items", [*items, int(ctx.args[0])], ctx.services.now())

    harness = await Harness.start(db, tmp_path, router=with_probe(probe), flood={"rate": 1000, "burst": 1000})
    try:
        for n in range(30):
            await harness.bot.handle(direct("alice", f"/append {n}", f"e{n}"))
        await harness.bot.drain()
        async with db.transaction() as session:
            assert await StateStore(session).get("items") == list(range(30))
    finally:
        await harness.stop()


async def test_a_flooding_user_is_told_once_to_slow_down(db: Database, tmp_path: Path) -> None:
    remote = RemoteConsole(tmp_path / "remote")
    harness = await Harness.start(db, tmp_path, flood={"rate": 0.001, "burst": 3}, extra_platforms=[remote])
    try:
        for n in range(6):
            await harness.bot.handle(direct("alice", "/help", f"f{n}", "remote"))
        await harness.bot.handle(direct("bob", "/help", "b1", "remote"))
        await harness.bot.drain()
        lines = remote.take()
        alice = [line for line in lines if line.startswith("[alice]")]
        assert len(alice) == 4
        assert (
            alice[-1] == "[alice] You are sending messages too fast. Please wait a few seconds and try again."
        )
        assert "[bob] Commands you can use:" in lines
    finally:
        await harness.stop()


async def test_the_console_operator_is_never_flood_limited(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, flood={"rate": 0.001, "burst": 3})
    try:
        for n in range(8):
            await harness.bot.handle(direct("alice", "/help", f"f{n}"))
        await harness.bot.drain()
        lines = harness.console.take()
        assert lines.count("[alice] Commands you can use:") == 8
        assert not [line for line in lines if "too fast" in line]
    finally:
        await harness.stop()


async def test_admins_come_from_the_configuration(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("whoami")
    async def whoami(ctx: Ctx) -> None:
        ctx.reply(ctx.actor.role.label)

    harness = await Harness.start(db, tmp_path, admins=("console:root",), router=with_probe(probe))
    try:
        assert await harness.say("/whoami", as_="root") == ["[root] admin"]
        assert await harness.say("/whoami", as_="alice") == ["[alice] guest"]
    finally:
        await harness.stop()


async def test_refused_moderator_commands_are_audited(db: Database, tmp_path: Path) -> None:
    probe = Router("probe")

    @probe.command("vet", role=Role.MODERATOR, description=N_("List the commands you can use"))
    async def vet(ctx: Ctx) -> None:
        ctx.reply("approved")

    harness = await Harness.start(db, tmp_path, router=with_probe(probe))
    try:
        assert await harness.say("/vet 1", as_="eve") == ["[eve] Sorry, /vet is for moderators only."]
        assert await harness.say("/vet 1", as_="admin") == ["[admin] approved"]
        async with db.transaction() as session:
            entries = list(await session.scalars(select(AuditEntry)))
        assert [(e.actor, e.action, e.target) for e in entries] == [("console:eve", "access.denied", "vet")]
    finally:
        await harness.stop()


async def test_system_jobs_commit_then_deliver_and_failures_are_only_logged(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await Harness.start(db, tmp_path)
    try:

        async def remind(ctx: Ctx) -> None:
            await ctx.services.state.set("reminded", True, ctx.services.now())
            ctx.send(UserRef("console", "amina"), "reminder")

        async def broken(ctx: Ctx) -> None:
            ctx.send(UserRef("console", "amina"), "never sent")
            raise RuntimeError("broken job")

        await harness.bot.run_system("remind", remind)
        await harness.bot.run_system("broken", broken)
        assert harness.console.take() == ["[amina] reminder"]
        assert "system job broken failed" in caplog.text
        async with db.transaction() as session:
            assert await StateStore(session).get("reminded") is True
    finally:
        await harness.stop()


def test_the_start_up_heap_is_frozen_and_garbage_is_not() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    live, garbage = Cycle(), Cycle()
    collected = weakref.ref(garbage)
    del garbage  # now only reachable from itself
    gc.unfreeze()
    try:
        freeze_start_up_heap()
        assert collected() is None  # collected first, not kept forever
        assert gc.get_freeze_count() > 0
        assert not any(item is live for item in gc.get_objects())  # out of every sweep
    finally:
        gc.unfreeze()


class MenuPlatform(ConsolePlatform):
    """A platform with command menus that refuses the moderators' one."""

    name = "menus"
    capabilities = frozenset(Capability)

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.menus: list[CommandMenu] = []

    async def set_command_menu(self, menu: CommandMenu) -> None:
        if menu.scope is MenuScope.MODERATOR_CHAT:
            raise PlatformError("no moderators' chat here")
        self.menus.append(menu)


async def test_command_menus_reach_platforms_that_have_them_and_a_refused_one_costs_only_itself(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    menus = MenuPlatform()
    harness = await Harness.start(db, tmp_path, extra_platforms=[menus])
    try:
        assert sorted(menu.locale or "" for menu in menus.menus) == ["", *sorted(available_locales()[1:])]
        default = next(menu for menu in menus.menus if menu.locale is None)
        assert [name for name, _ in default.commands][:3] == ["start", "help", "language"]
        assert "the menus command menu for the moderators' chat was not set" in caplog.text
        assert await harness.say("/help")  # the bot runs
    finally:
        await harness.bot.stop()


class SlowMenuPlatform(MenuPlatform):
    """Menus that are set only once ``allowed`` is."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed = asyncio.Event()

    async def set_command_menu(self, menu: CommandMenu) -> None:
        await self.allowed.wait()
        await super().set_command_menu(menu)


async def test_command_menus_published_later_do_not_hold_up_the_start(db: Database, tmp_path: Path) -> None:
    from bot.app import CopBot
    from bot.config import Settings

    menus = SlowMenuPlatform()
    config = Settings(
        database_url=str(db.url.render_as_string(hide_password=False)),
        sample_data=False,
        files_dir=tmp_path,
    )
    bot = CopBot(config, [ConsolePlatform(io.StringIO()), menus], db=db)
    async with asyncio.timeout(10):  # waiting for the menus here would never end
        await bot.start(migrate=False, menus_later=True)
    try:
        assert menus.menus == []
        menus.allowed.set()
        async with asyncio.timeout(10):
            while len(menus.menus) < len(available_locales()):
                await asyncio.sleep(0.01)
        assert sorted(menu.locale or "" for menu in menus.menus) == ["", *sorted(available_locales()[1:])]
    finally:
        await bot.stop()
