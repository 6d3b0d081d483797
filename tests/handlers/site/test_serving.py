"""``copbot run`` serving the public site (``COPBOT_WEB__LISTEN``), rebuilt when it changed.

The bot is started on the console with the ``web`` settings, on SQLite and PostgreSQL;
its site is fetched over HTTP; a moderator adds a wiki entry and a consenting member
replies; the next check builds again (a child process, ``copbot site build --from-bot``)
and the new pages are served. A check with nothing changed builds nothing. The bot
answers within half a second (milliseconds, unloaded) while a build runs.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.core.types import Role
from bot.leases import SingleProcessLock
from handlers.site.serving import SitePublisher
from storage.db import Database
from storage.wiki.data import WikiEntryData
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock, Harness, start_with_people
from tests.handlers.dialogues.test_commands import post_due
from tests.handlers.wiki.test_add import ANSWERS, FAST, fill
from tests.site.builder import seed

#: The bot must answer a command within this while the site is being built (seconds).
#: Rendering these 400 entries on the bot's event loop would hold every answer for the
#: whole build (3-4 s); in its own process the answers take milliseconds (7-21 ms on a
#: quiet machine), and the margin is for a machine busy with other work.
ANSWER_WITHIN = 0.5


async def _get(publisher: SitePublisher, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{publisher.server.port}/{path}", allow_redirects=False) as response,
    ):
        return response.status, await response.text()


def _materials(home: str) -> int:
    """How many materials the home page says the wiki holds."""
    found = re.search(r'kind/material\.html">[^<]+</a> \((\d+)\)', home)
    assert found is not None, home
    return int(found.group(1))


async def _start(
    db: Database, tmp_path: Path, clock: FakeClock, **web: object
) -> tuple[Harness, SitePublisher]:
    harness, _ = await start_with_people(
        db,
        tmp_path,
        clock,
        [("admin", [Role.ADMIN], None)],
        flood=FAST,
        web={"listen": "127.0.0.1:0", "folder": str(tmp_path / "site"), **web},
    )
    return harness, harness.bot.shared.get(SitePublisher)


async def test_the_running_bot_serves_its_site_and_rebuilds_what_changed(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await seed(db, clock)
    async with db.transaction() as session:
        sample = min([entry.slug async for entry in WikiRepository(session).all()])
    harness, publisher = await _start(db, tmp_path, clock)
    try:
        assert await publisher.check() in (True, False)  # the first build, or after it: built once
        assert publisher.builds == 1
        assert publisher.last_output.startswith(f"wrote {tmp_path / 'site'}: ")
        status, home = await _get(publisher, "en/")
        assert status == 200
        assert '<html lang="en" dir="ltr">' in home
        materials = _materials(home)
        status, page = await _get(publisher, f"en/wiki/{sample}.html")
        assert status == 200
        assert "<h1>" in page
        assert (await _get(publisher, "en/wiki/gender-budgeting-toolkit.html"))[0] == 404
        assert await publisher.check() is False  # nothing changed: nothing built
        assert publisher.builds == 1

        await fill(harness, ANSWERS)
        assert (await harness.say("#11", as_="admin"))[0].startswith("[admin] Added Gender budgeting toolkit")
        clock.advance(timedelta(minutes=10))  # the sample's first prompt is due, and posted
        posted = await post_due(harness)
        thread = next(line for line in posted if line.startswith("[community/")).split("]")[0] + "]"
        await harness.say(f"{thread} A reply the site may quote, served at once.", as_="quoted_member")
        await harness.say(f"{thread} A reply the site never quotes.", as_="silent_member")

        assert await publisher.check() is True
        assert publisher.builds == 2
        status, entry = await _get(publisher, "en/wiki/gender-budgeting-toolkit.html")
        assert status == 200
        assert "Gender budgeting toolkit" in entry
        assert "Step by step, with <strong>examples</strong>." in entry
        assert _materials((await _get(publisher, "en/"))[1]) == materials + 1  # the home page's count
        status, index = await _get(publisher, "en/kind/material.html")
        assert status == 200
        assert "gender-budgeting-toolkit.html" in index
        assert "gender-budgeting-toolkit" in (await _get(publisher, "en/search.json"))[1]
        status, archive = await _get(publisher, "en/dialogue/1.html")
        assert status == 200
        assert "A reply the site may quote, served at once." in archive
        assert "Zanele Quoted" in archive
        assert "never quotes" not in archive
        assert "Replies: 4" in archive  # the two seeded replies and the two new ones
        assert await publisher.check() is False
        assert publisher.builds == 2
    finally:
        await harness.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(publisher, "en/")  # the server stopped with the bot


async def test_the_bot_answers_at_once_while_the_site_is_built(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        for number in range(400):
            data = WikiEntryData.model_validate(
                {
                    "slug": f"entry-{number}",
                    "kind": "material",
                    "title": f"Material number {number}",
                    "summary": "A summary. " * 10,
                    "body": "A paragraph of the body, with *some* markup.\n\n" * 20,
                    "tags": ["training", f"tag{number % 17}"],
                    "country": "KE",
                    "language": "en",
                    "deadline": date(2027, 1, 1),
                }
            )
            await wiki.upsert(data, datetime(2026, 9, 1, tzinfo=UTC))
    lock = SingleProcessLock(db)  # as copbot run holds it (SQLite): the build's child takes none
    lock.acquire()
    harness, publisher = await _start(db, tmp_path, clock)
    try:
        async with asyncio.timeout(30):
            while not publisher.building:  # the first build starts in the background
                await asyncio.sleep(0.01)
        building = time.perf_counter()
        answers = []
        while publisher.building and len(answers) < 20:
            started = time.perf_counter()
            lines = await harness.say("/help", as_="admin")
            answers.append(time.perf_counter() - started)
            assert lines[0].startswith("[admin] ")
            await asyncio.sleep(0.05)
        assert len(answers) >= 3, "the build ended before the bot was asked three times"
        assert max(answers) < ANSWER_WITHIN, answers
        await publisher.check()
        assert publisher.builds == 1
        print(
            f"\n{publisher.last_output}; built in ~{time.perf_counter() - building:.1f} s; "
            f"{len(answers)} answers meanwhile, the slowest in {max(answers) * 1000:.1f} ms"
        )
        assert (await _get(publisher, "en/wiki/entry-399.html"))[0] == 200
    finally:
        await harness.stop()
        lock.release()


async def test_stopping_the_bot_lets_a_build_under_way_finish(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await seed(db, clock)
    harness, publisher = await _start(db, tmp_path, clock)
    async with asyncio.timeout(30):
        while not publisher.building:
            await asyncio.sleep(0.01)
    child = publisher._child
    assert child is not None
    await harness.stop()
    assert child.returncode == 0  # awaited, not ended
    assert (tmp_path / "site" / "en" / "index.html").is_file()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".site.")] == []
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(publisher, "en/")
