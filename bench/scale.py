"""Benchmark: the whole Telegram pipeline with 1, 2 and 3 ``copbot run`` instances on one database.

Each configuration gets a new PostgreSQL database and its own ``copbot run`` processes
in webhook mode, each listening on a port of its own. Polling would not do: only the
holder of the polling lease calls ``getUpdates``, so a second instance could only share
the outbox, and interactive replies do not go through the outbox. In webhook mode every
instance serves Telegram's posts (no lease), the way several instances run behind a load
balancer; an update is claimed once in the database whichever instance gets it.

The load balancer is round-robin by default, as any HTTP balancer may be: one person's
updates go to every instance in turn, which the form takes as it would on one instance
(with several instances the draft is read with a row lock, never from a per-process
cache). ``--routing sticky`` sends every update of one person to the same instance.

Telegram's side runs in this process: the loopback fake Bot API
(:class:`~tests.platforms.telegram.fake.FakeBotApiServer`) that the instances call, and
:class:`~tests.platforms.telegram.fake.WebhookPusher` posting each update to the next
instance in turn, 40 at a time (Telegram's default ``max_connections``). The load is
``bench.peers``'s: applicants each send ``/apply`` (a command), the 8 answers of its form
and press Submit, waiting for every reply, K of them at once. An update's latency runs from its
being offered (queued in the fake) to the bot's reply arriving in the fake; throughput is
updates answered per second. The ratio is to one instance, measured in the same run.

Needs PostgreSQL (``COPBOT_TEST_POSTGRES_URL``, as the tests). Run:
``python -m bench.scale [--applicants N] [--in-flight K] [--instances 1,2,3] [--routing round-robin|sticky]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.peers.common import Load
from bench.peers.copbot_form import START, form_yaml
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram, Sent, WebhookPusher
from tests.postgres import fresh_database

ROOT = Path(__file__).resolve().parents[1]

SECRET = "bench-scale-secret"
#: Telegram posts at most this many updates to a webhook at once (``max_connections``).
CONNECTIONS = 40
#: Telegram's overall limit: messages per second a bot may send.
TELEGRAM_PER_SECOND = 30


@dataclass
class Result:
    instances: int
    updates: int
    seconds: float
    p50: float
    p99: float
    messages: int
    #: CPU seconds per second of the load: the instances together, and this process.
    copbot_cores: float
    driver_cores: float
    #: The whole machine's busy CPU seconds per second (PostgreSQL and other work included).
    machine_cores: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


def machine_busy() -> float:
    """CPU seconds every core of the machine spent busy so far, from ``/proc/stat``."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    """One ``copbot run`` process in webhook mode, serving on a port of its own."""

    def __init__(self, number: int, folder: Path, server: FakeBotApiServer, database: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram"
        self.log = folder / f"instance{number}.log"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COPBOT_")}
        self.env |= {
            "COPBOT_DATABASE_URL": database,
            "COPBOT_SAMPLE_DATA": "false",
            "COPBOT_APPLICATION_FORM": str(folder / "form.yaml"),
            "COPBOT_FILES_DIR": str(folder / f"files{number}"),
            "COPBOT_FLOOD__RATE": "1000",
            "COPBOT_FLOOD__BURST": "1000",
            "COPBOT_TELEGRAM__TOKEN": TOKEN,
            "COPBOT_TELEGRAM__API_URL": server.base_url,
            "COPBOT_TELEGRAM__COMMUNITY_CHAT_ID": str(server.api.community_id),
            "COPBOT_TELEGRAM__MODERATOR_CHAT_ID": str(server.api.moderators_id),
            # The load balancer's address; each instance listens on its own port behind it.
            "COPBOT_TELEGRAM__WEBHOOK_URL": "http://127.0.0.1:1/telegram",
            "COPBOT_TELEGRAM__WEBHOOK_SECRET": SECRET,
            "COPBOT_TELEGRAM__WEBHOOK_LISTEN": f"127.0.0.1:{self.port}",
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stderr=log
            )

    async def ready(self, patience: float = 60.0) -> None:
        deadline = time.monotonic() + patience
        while not (self.log.exists() and "copbot started" in self.log.read_text()):
            assert self.process is not None
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise SystemExit(f"copbot run did not start:\n{self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)

    def cpu_seconds(self) -> float:
        """The process's CPU time so far (user and system), from ``/proc``."""
        assert self.process is not None
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def measure(count: int, applicants: int, in_flight: int, folder: Path, sticky: bool) -> Result:
    """``count`` instances on a new database, the load, and its figures."""
    run = folder / f"run{count}"
    run.mkdir()
    (run / "form.yaml").write_text(form_yaml(), encoding="utf-8")
    api = FakeTelegram()
    load = Load(api, applicants, in_flight)
    messages = 0
    recorded = api.on_send
    assert recorded is not None

    def counted(sent: Sent) -> None:
        nonlocal messages
        messages += 1
        recorded(sent)

    api.on_send = counted
    server = FakeBotApiServer(api)
    await server.start()
    async with fresh_database("copbot_scale") as database:
        instances = [Instance(n, run, server, database) for n in range(count)]
        urls = [instance.url for instance in instances]
        pusher = WebhookPusher(api, connections=CONNECTIONS, targets=urls, sticky=sticky)
        try:
            await instances[0].start()  # the first migrates the new database alone
            await instances[0].ready()
            for instance in instances[1:]:
                await instance.start()
            for instance in instances[1:]:
                await instance.ready()
            pusher.start()
            load.listening.set()  # no getUpdates in webhook mode: the instances are up
            copbot, driver = sum(i.cpu_seconds() for i in instances), time.process_time()
            machine = machine_busy()
            seconds = await load.run(START)
            machine = machine_busy() - machine
            copbot = sum(i.cpu_seconds() for i in instances) - copbot
            driver = time.process_time() - driver
        finally:
            await pusher.stop()
            for instance in instances:
                await instance.stop()
            await server.stop()
    cuts = statistics.quantiles(load.latencies, n=100)
    return Result(
        count,
        len(load.latencies),
        seconds,
        cuts[49],
        cuts[98],
        messages,
        *(cpu / seconds for cpu in (copbot, driver, machine)),
    )


async def main(counts: list[int], applicants: int, in_flight: int, routing: str) -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            print(f"{count} instance(s) ...", flush=True)
            results.append(await measure(count, applicants, in_flight, Path(folder), routing == "sticky"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"bench.scale: {applicants} applicants x 10 updates (/apply, 8 answers, Submit), {in_flight} "
        f"in flight; webhook mode, {routing} over the instances; one PostgreSQL database; {cores} cores"
    )
    print(
        f"{'instances':>10}{'updates/s':>11}{'p50':>10}{'p99':>10}{'messages/s':>12}"
        f"{'copbot CPU':>12}{'driver CPU':>12}{'machine CPU':>13}{'ratio':>8}"
    )
    base = results[0].rate
    for r in results:
        print(
            f"{r.instances:>10}{r.rate:>11,.0f}{r.p50 * 1e3:>7.0f} ms{r.p99 * 1e3:>7.0f} ms"
            f"{r.messages / r.seconds:>12,.0f}{r.copbot_cores:>7.2f} core{r.driver_cores:>7.2f} core"
            f"{r.machine_cores:>7.2f} cores"
            f"{r.rate / base:>7.2f}x"
        )
    print()
    print(explanation(results, cores or 1))


def explanation(results: list[Result], cores: int) -> str:
    """What the figures say, in one paragraph, from the figures themselves."""
    one, last = results[0], results[-1]
    sends = max(r.messages / r.seconds for r in results)
    full = last.machine_cores >= 0.9 * cores
    return (
        f"One copbot process is one Python event loop: it can use at most one core. With one instance "
        f"it used {one.copbot_cores:.2f} core for {one.rate:,.0f} updates/s while the machine's {cores} "
        f"cores were {one.machine_cores / cores:.0%} busy (PostgreSQL, which commits every answer with "
        f"its exactly-once claim, this process as Telegram's side, and whatever else runs here). "
        f"With {last.instances} instances copbot used {last.copbot_cores:.2f} core between them and the "
        f"machine was {last.machine_cores / cores:.0%} busy, for {last.rate / one.rate:.2f}x one "
        f"instance's updates/s. "
        + (
            "The cores were full: more instances only share them out, and the figures move with "
            "the other work on the machine more than with the number of instances. "
            if full
            else "The cores were not full: what limits the rate is waiting (commits, the round trips "
            "of the webhook and the Bot API), which more instances overlap only as far as PostgreSQL "
            "keeps up. "
        )
        + "Instances add throughput where each gets cores of its own (and PostgreSQL a machine of "
        "its own); on one small machine they buy availability (a standby takes over), not speed. "
        f"The bot sent up to {sends:,.0f} messages/s here; Telegram accepts about "
        f"{TELEGRAM_PER_SECOND} per second from one bot, so past that real replies would wait for "
        "Telegram, however many instances run."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=400)
    parser.add_argument("--in-flight", type=int, default=40)
    parser.add_argument("--instances", default="1,2,3", help="instance counts, comma-separated")
    parser.add_argument("--routing", choices=("round-robin", "sticky"), default="round-robin")
    arguments = parser.parse_args()
    counts = [int(n) for n in arguments.instances.split(",")]
    asyncio.run(main(counts, arguments.applicants, arguments.in_flight, arguments.routing))
