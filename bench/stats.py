"""Benchmark: ``/stats`` figures and chart, and what drawing costs the event loop.

Seeds a SQLite database with a community (members in many countries, applications, a
dialogue with replies), then measures in the same run:

- the four aggregate queries of :class:`storage.members.stats.StatsRepository` (the baseline:
  what the handler does inside the transaction);
- drawing the four-panel PNG (:func:`handlers.members.charts.render_panels`);
- the longest stall of the event loop while a chart is drawn inline on the loop and
  while it is drawn in a worker thread (``asyncio.to_thread``, what ``/stats`` does).

Run: ``make bench`` or ``python -m bench.stats [--members N] [--runs R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.core.types import Role
from handlers.members.charts import Panel, render_panels
from storage.db import Database
from storage.members.stats import StatsRepository
from storage.models import Application, Dialogue, Person, Prompt, Reply, RoleGrant
from storage.regions import region_of_country, territory_name

NOW = datetime(2026, 9, 22, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def seed(db: Database, members: int) -> None:
    countries = sorted(region_of_country())
    async with db.transaction() as session:
        await session.execute(
            insert(Person),
            [
                {"id": n + 1, "display_name": f"p{n}", "country": countries[n * n % 97], "created_at": NOW}
                for n in range(members)
            ],
        )
        await session.execute(
            insert(RoleGrant),
            [{"person_id": n + 1, "role": Role.MEMBER.label, "granted_at": NOW} for n in range(members)],
        )
        statuses = ("draft", "submitted", "approved", "rejected", "cancelled", "expired")
        await session.execute(
            insert(Application),
            [
                {
                    "person_id": n % members + 1,
                    "platform": "console",
                    "platform_user_id": str(n),
                    "status": statuses[n % 6],
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(members // 2)
            ],
        )
        dialogue = Dialogue(
            title={"en": "Bench"},
            start_date=date(2026, 9, 1),
            end_date=date(2026, 9, 30),
            status="open",
            created_at=NOW,
        )
        dialogue.prompts = [
            Prompt(position=n, text={"en": f"Prompt number {n}"}, post_at=NOW) for n in range(10)
        ]
        session.add(dialogue)
        await session.flush()
        ids = [prompt.id for prompt in dialogue.prompts]
        await session.execute(
            insert(Reply),
            [
                {
                    "prompt_id": ids[n % 7],
                    "person_id": n % members + 1,
                    "platform": "console",
                    "chat_id": "c",
                    "text": "r",
                    "created_at": NOW,
                }
                for n in range(members * 2)
            ],
        )


async def figures(db: Database) -> list[Panel]:
    async with db.transaction() as session:
        stats = StatsRepository(session)
        countries = await stats.members_by_country()
        regions = await stats.members_by_region()
        applications = await stats.applications_by_status()
        dialogue = await stats.replies_per_prompt()
    assert dialogue is not None
    return [
        Panel("Members by region", tuple((territory_name(r.key or "", "en"), r.count) for r in regions)),
        Panel(
            "Members by country (top 10)",
            tuple((territory_name(r.key or "", "en"), r.count) for r in countries[:10]),
        ),
        Panel("Applications by status", tuple((r.key or "", r.count) for r in applications)),
        Panel(
            "Replies per prompt",
            tuple((f"{p.position + 1}. {p.text['en']}", p.replies) for p in dialogue.prompts),
        ),
    ]


def draw(panels: list[Panel]) -> bytes:
    return render_panels(panels, title="Community statistics", empty="No data yet")


async def longest_stall(work: Callable[[], object], threaded: bool) -> float:
    """The longest gap between ticks of a 1 ms ticker while ``work`` runs."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    if threaded:
        await asyncio.to_thread(work)
    else:
        work()
        await asyncio.sleep(0.002)  # let the ticker see the stall
    done.set()
    await task
    return max(gaps)


async def main(members: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await db.upgrade()
        await seed(db, members)
        panels = await figures(db)  # warm up: caches, fonts
        if sum(n for _, n in panels[0].bars) != members or sum(n for _, n in panels[3].bars) != members * 2:
            raise SystemExit("the figures do not add up to the seeded data: not a valid run")
        png = draw(panels)
        if not png.startswith(PNG_SIGNATURE) or len(png) < 10_000:
            raise SystemExit("the chart is not a real PNG: not a valid run")
        query_times, draw_times = [], []
        for _ in range(runs):
            started = time.perf_counter()
            panels = await figures(db)
            query_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            draw(panels)
            draw_times.append(time.perf_counter() - started)
        inline = statistics.median(
            [await longest_stall(lambda: draw(panels), threaded=False) for _ in range(5)]
        )
        threaded = statistics.median(
            [await longest_stall(lambda: draw(panels), threaded=True) for _ in range(5)]
        )
        await db.dispose()
    query, render = statistics.median(query_times), statistics.median(draw_times)
    print(f"community: {members:,} members, {members // 2:,} applications, {members * 2:,} replies (SQLite)")
    print(f"queries (baseline) : {query * 1e3:8.1f} ms median of {runs}")
    print(f"chart PNG          : {render * 1e3:8.1f} ms median of {runs}, {len(png):,} bytes")
    print(f"ratio              : {render / query:8.1f}x the queries' time")
    print(f"loop stall, inline : {inline * 1e3:8.1f} ms (median of 5, drawing on the event loop)")
    print(f"loop stall, thread : {threaded * 1e3:8.1f} ms (median of 5, asyncio.to_thread: what /stats does)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.members, arguments.runs))
