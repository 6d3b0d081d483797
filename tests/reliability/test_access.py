"""Roles, search injection, hostile text and ``/forget``: nothing leaks, nothing crashes.

Every moderator and admin command is tried by every lesser role on the console, on
Telegram (in process, through the fake Bot API) and on Matrix (the adapter's event mapping); the database must not change but for
the audit entry of the refusal.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, select

from bot.core.types import Role, UserRef
from bot.platforms.matrix.events import RoomView, to_event
from storage.db import Database
from storage.users import UserRepository
from tests.fakes import FakeClock, Harness, RemoteConsole, start_with_people
from tests.handlers.members.test_forget_traces import MARKER, _plant, _rows_with_marker
from tests.platforms.telegram.fake import FakeTelegram
from tests.platforms.telegram.test_platform import start
from tests.reliability.conftest import Figures

LESSER = {"guest": Role.GUEST, "applicant": Role.APPLICANT, "member": Role.MEMBER}
#: What a refusal leaves behind, by design: the audit entry, the event ledger, the sender's
#: identity as last seen (name, language) and the reply journal.
VOLATILE_TABLES = {"audit_log", "processed_events", "pending_replies", "identities", "alembic_version"}
INJECTIONS = [
    '"',
    "*",
    "NEAR(",
    "OR",
    "a OR b",
    "\x00",
    "'; DROP TABLE people; --",
    "%",
    "_",
    "\\",
    "x" * 5000,
]
INJECTIONS += ['"unterminated', "a AND NOT", "(", ")", "^", "-", ":", "title:x", "' OR '1'='1"]
FAILURE = "something went wrong"


def snapshot(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the volatile ones, without the 'seen' timestamps."""
    metadata = MetaData()
    metadata.reflect(connection)
    rows = {}
    for table in metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        columns = [column for column in table.columns if "seen" not in column.name]
        rows[table.name] = sorted(map(tuple, connection.execute(select(*columns))), key=repr)
    return rows


async def state(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    async with db.engine.connect() as connection:
        return await connection.run_sync(snapshot)


def changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


async def test_moderator_commands_by_lesser_roles_on_the_console(
    db: Database, tmp_path: Path, clock: FakeClock, figures: Figures
) -> None:
    figures.scenario, figures.database = "moderator commands by lesser roles (console)", db.dialect
    people = [(name, [role] if role > Role.GUEST else [], None) for name, role in LESSER.items()]
    harness, _ = await start_with_people(db, tmp_path, clock, people)
    try:
        routes = [route for route in harness.bot.router.commands() if route.role >= Role.MODERATOR]
        before = await state(db)
        refused: list[str] = []
        for route in routes:
            for name in LESSER:
                lines = await harness.say(f"/{route.name} 1", as_=name)
                if any(line.startswith(f"[{name}] Sorry, /{route.name} is for") for line in lines):
                    refused.append(f"{name} /{route.name}")
        after = await state(db)
    finally:
        await harness.stop()
    figures["attempts"] = len(routes) * len(LESSER)
    figures["refused"] = len(refused)
    figures["tables changed"] = len(changed(before, after))
    assert figures["refused"] == figures["attempts"]
    assert changed(before, after) == []


async def test_moderator_commands_by_lesser_roles_on_telegram(
    db: Database, tmp_path: Path, figures: Figures
) -> None:
    figures.scenario, figures.database = "moderator commands by lesser roles (Telegram)", db.dialect
    fake = FakeTelegram()
    tg = await start(db, tmp_path, fake)
    try:
        routes = [route for route in tg.bot.router.commands() if route.role >= Role.MODERATOR]
        # one person for each attempt: the flood limit would answer a single one's many commands
        tries = [(7000 + n, route.name, role) for n, (route, role) in enumerate(
            (route, role) for route in routes for role in LESSER.values()
        )]  # fmt: skip
        async with db.transaction() as session:
            users = UserRepository(session)
            for user, _, role in tries:
                fake.user(user, f"User {user}")
                person = await users.resolve(
                    UserRef("telegram", str(user), f"User {user}"), tg.bot.clock.now()
                )
                if role > Role.GUEST:
                    await users.grant(person.person_id, role, tg.bot.clock.now())
        before = await state(db)
        for user, command, _ in tries:
            await tg.settle(fake.say(user, f"/{command} 1"))
        after = await state(db)
    finally:
        await tg.bot.stop()
    figures["attempts"] = len(tries)
    figures["refused"] = sum(
        1
        for user, command, _ in tries
        if any(text.startswith(f"Sorry, /{command} is for") for text in fake.texts(user))
    )
    figures["tables changed"] = len(changed(before, after))
    assert figures["refused"] == figures["attempts"]
    assert changed(before, after) == []


async def test_search_injection(
    db: Database,
    tmp_path: Path,
    clock: FakeClock,
    figures: Figures,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    figures.scenario, figures.database = "search injection strings", db.dialect
    caplog.set_level(logging.ERROR)
    harness, _ = await start_with_people(db, tmp_path, clock, [("member", [Role.MEMBER], None)])
    unanswered: list[str] = []
    failed: list[str] = []
    try:
        for command in ("wiki", "directory"):
            for injection in INJECTIONS:
                lines = await harness.say(f"/{command} {injection}", as_="member")
                if not lines:
                    unanswered.append(f"/{command} {injection!r}")
                if any(FAILURE in line for line in lines):
                    failed.append(f"/{command} {injection!r:.40}")
        assert (await harness.say("/help", as_="member"))[0].startswith("[member]")
    finally:
        await harness.stop()
    figures["searches"] = 2 * len(INJECTIONS)
    figures["unanswered"] = len(unanswered)
    figures["errors"] = len(failed) + sum(1 for r in caplog.records if r.levelno >= logging.ERROR)
    assert unanswered == []
    assert figures["errors"] == 0, failed


async def test_hostile_text(
    db: Database, tmp_path: Path, clock: FakeClock, figures: Figures, caplog: pytest.LogCaptureFixture
) -> None:
    """A lone surrogate and NUL in a name and in messages; the account keeps working."""
    figures.scenario, figures.database = "hostile text (console)", db.dialect
    caplog.set_level(logging.ERROR)
    harness = await Harness.start(db, tmp_path, clock=clock)
    hostile = "Zo\x00e \ud800"
    try:
        for text in (hostile, f"/profile {hostile}", f"/wiki {hostile}", "/apply", hostile, "/cancel"):
            await harness.say(text, as_=hostile)
        still = await harness.say("/help", as_=hostile)
    finally:
        await harness.stop()
    figures["messages"] = 6
    figures["errors"] = sum(1 for r in caplog.records if r.levelno >= logging.ERROR)
    figures["account works"] = bool(still) and "/apply" in " ".join(still)
    assert figures["errors"] == 0, caplog.text[-2000:]
    assert figures["account works"]


async def test_forget_planted_marker(db: Database, tmp_path: Path, figures: Figures) -> None:
    """``/forget``: the planted marker is in no row and, on SQLite, in no database file."""
    figures.scenario, figures.database = "/forget planted marker", db.dialect
    harness = await Harness.start(db, tmp_path)
    try:
        await _plant(db, harness)
        async with db.engine.connect() as connection:
            figures["rows before"] = len(await connection.run_sync(_rows_with_marker))
        await harness.say("/forget", as_="amina")
        await harness.say("#1", as_="amina")
        async with db.engine.connect() as connection:
            figures["rows after"] = len(await connection.run_sync(_rows_with_marker))
        files = []
        if db.dialect == "sqlite":
            path = Path(str(db.url.database))
            files = [file for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if file.exists()]
        figures["files with marker"] = sum(1 for file in files if MARKER.encode() in file.read_bytes())
    finally:
        await harness.stop()
    assert figures["rows before"] > 0
    assert figures["rows after"] == 0
    assert figures["files with marker"] == 0


class MatrixStandIn(RemoteConsole):
    """The recording console named ``matrix``, with Matrix's ``!`` commands: the events come
    from the Matrix adapter's own mapping (:func:`to_event`), the replies are recorded."""

    name = "matrix"
    command_prefix = "!"


async def test_moderator_commands_by_lesser_roles_on_matrix(
    db: Database, tmp_path: Path, clock: FakeClock, figures: Figures
) -> None:
    figures.scenario, figures.database = "moderator commands by lesser roles (Matrix)", db.dialect
    matrix = MatrixStandIn(tmp_path / "files")
    harness = await Harness.start(db, tmp_path, clock=clock, extra_platforms=[matrix])
    try:
        routes = [route for route in harness.bot.router.commands() if route.role >= Role.MODERATOR]
        tries = [(f"@{name}{n}:localhost", route.name, role) for n, (route, (name, role)) in enumerate(
            (route, lesser) for route in routes for lesser in LESSER.items()
        )]  # fmt: skip
        async with db.transaction() as session:
            users = UserRepository(session)
            for user, _, role in tries:
                person = await users.resolve(UserRef("matrix", user, user), clock.now())
                if role > Role.GUEST:
                    await users.grant(person.person_id, role, clock.now())
        before = await state(db)
        refused = 0
        for n, (user, command, _) in enumerate(tries):
            room = RoomView(f"!dm{n}:localhost", "@copbot:localhost", is_direct=True, names={user: user})
            source = {
                "type": "m.room.message",
                "sender": user,
                "event_id": f"$attempt{n}",
                "origin_server_ts": int(clock.now().timestamp() * 1000),
                "content": {"msgtype": "m.text", "body": f"!{command} 1"},
            }
            event = to_event(source, room)
            assert event is not None
            await (await harness.bot.handle(event))
            lines = matrix.take()
            refused += any(f"Sorry, !{command} is for" in line for line in lines)
        after = await state(db)
    finally:
        await harness.stop()
    figures["attempts"] = len(tries)
    figures["refused"] = refused
    figures["tables changed"] = len(changed(before, after))
    assert figures["refused"] == figures["attempts"]
    assert changed(before, after) == []
