"""One account's flood is refused in memory, before any database work, and slows nobody else."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bot.core.types import ChatRef, IncomingMessage, UserRef
from storage.db import Database
from storage.models import ProcessedEvent
from tests.fakes import Harness, RemoteConsole

FLOOD = 10_000
HELP = "Commands you can use:"
TOO_FAST = "You are sending messages too fast. Please wait a few seconds and try again."


def remote(user: str, text: str, event_id: str) -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef("remote", user, user.title(), "en"),
        chat=ChatRef("remote", user),
        is_direct=True,
        text=text,
    )


async def test_a_flood_from_one_account_costs_no_database_work_and_does_not_hold_up_another(
    db: Database, tmp_path: Path
) -> None:
    platform = RemoteConsole(tmp_path / "remote")
    harness = await Harness.start(db, tmp_path, flood={"rate": 0.001, "burst": 3}, extra_platforms=[platform])
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        flood = [await harness.bot.handle(remote("alice", "/help", f"a{n}")) for n in range(FLOOD)]
        bob = await harness.bot.handle(remote("bob", "/help", "b1"))
        await bob
        flood_left_when_bob_was_answered = sum(not handled.done() for handled in flood)
        statements_when_bob_was_answered = statements
        await asyncio.gather(*flood)
        await harness.bot.drain()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        lines = platform.take()
        assert f"[bob] {HELP}" in lines
        alice = [line for line in lines if line.startswith("[alice]")]
        assert [line for line in alice if HELP in line] == [f"[alice] {HELP}"] * 3
        assert alice[-1] == f"[alice] {TOO_FAST}"
        assert len(alice) == 4
        # bob's answer did not wait for the flood to be worked through ...
        assert flood_left_when_bob_was_answered > 0
        # ... and what came before it was the few events alice was allowed, not her flood
        assert statements_when_bob_was_answered < 200
        # the refused events never reached the database: not even a claim in the ledger
        assert statements < 200
        async with db.transaction() as session:
            claimed = await session.scalar(
                select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.platform == "remote")
            )
        assert claimed == 3 + 1
    finally:
        await harness.stop()


async def test_the_flood_warning_speaks_the_language_the_person_chose(db: Database, tmp_path: Path) -> None:
    platform = RemoteConsole(tmp_path / "remote")
    harness = await Harness.start(db, tmp_path, flood={"rate": 0.001, "burst": 2}, extra_platforms=[platform])
    try:
        for n, text in enumerate(["/language es", "/help", "/help", "/help"]):
            await harness.bot.handle(remote("carla", text, f"c{n}"))
        await harness.bot.drain()
        lines = platform.take()
        assert lines[-1] == (
            "[carla] Estás enviando mensajes demasiado rápido. Espera unos segundos y vuelve a intentarlo."
        )
        assert sum("rápido" in line for line in lines) == 1
    finally:
        await harness.stop()
