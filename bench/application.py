"""Benchmark: applicants filling in the application form through the whole stack.

1,000 simulated applicants (by default) each send ``/apply``, answer the 13 questions of
the default form (typed answers, one skip) and press Submit; 50 of them are in the middle
of the form at any time, and each waits for the bot's reply before answering again, as a
person does. Every answer goes through the sequencer, the middleware (error capture, the
unit of work with its exactly-once claim, identity, flood control), the router's
form-session filter and the form handler, and is committed to SQLite before the reply is
sent. Latency is measured from the answer being handed to the bot to its reply reaching
the console platform.

The baseline, measured in the same run on the same answers, is the bare form engine:
validate each answer and render the next question, with no middleware and no database.
The run is refused unless every reply was the expected next question and every
application ended up submitted in the database.

Run: ``make bench`` or ``python -m bench.application [--applicants N] [--in-flight K]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench import pin_to_one_core
from bot.app import CopBot
from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.text import Text, fill
from bot.core.types import ChatRef, IncomingMessage, MessageRef, OutgoingMessage, UserRef
from bot.forms import Accepted, label_text, parse_answer
from bot.heap import freeze_start_up_heap
from bot.platforms.console import ConsolePlatform
from handlers.application.form import DEFAULT_FORM
from storage.models import Application

#: What every applicant types, in order; ``None`` is the Submit button.
ANSWERS: list[str | None] = [
    "/apply",
    "Alex Applicant",
    "alex@example.org",
    "Independent",
    "Trainer",
    "Kenya",
    "English, French",
    "1, 4",
    "12",
    "government, media",
    "I want to learn from other trainers and share my materials.",
    "/skip",
    "yes",
    "yes",
    None,
]
#: Text each reply must contain, answer by answer.
EXPECTED = ["Welcome to the application form"] + [f"Question {n} of 13" for n in range(2, 14)]
EXPECTED += ["Please check your answers", "Thank you! Your application"]


class TimedConsole(ConsolePlatform):
    """The console platform, waking the applicant a reply is for."""

    def __init__(self, out: io.StringIO, folder: Path) -> None:
        super().__init__(out, files_dir=folder)
        self.waiting: dict[str, asyncio.Future[tuple[float, str]]] = {}

    async def send(self, message: OutgoingMessage) -> MessageRef:
        ref = await super().send(message)
        future = self.waiting.pop(message.to.id, None)
        if future is not None and not future.done():
            future.set_result((time.perf_counter(), str(message.text)))
        return ref


async def full_stack(applicants: int, in_flight: int, folder: Path) -> tuple[float, list[float]]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        sample_data=False,
        admins=("console:moderator",),
        flood={"rate": 1e9, "burst": 10**9},
        files_dir=folder,
    )
    out = io.StringIO()
    console = TimedConsole(out, folder)
    bot = CopBot(settings, [console])
    await bot.start()
    freeze_start_up_heap()  # as copbot run does
    latencies: list[float] = []
    slots = asyncio.Semaphore(in_flight)
    loop = asyncio.get_running_loop()

    async def applicant(number: int) -> None:
        async with slots:
            user = UserRef("console", f"applicant{number}", f"applicant{number}")
            for step, typed in enumerate(ANSWERS):
                event = IncomingMessage(
                    event_id=f"a{number}-{step}",
                    sender=user,
                    chat=ChatRef("console", user.id),
                    is_direct=True,
                    text=typed,
                    button="apply:s" if typed is None else None,
                )
                reply: asyncio.Future[tuple[float, str]] = loop.create_future()
                console.waiting[user.id] = reply
                sent = time.perf_counter()
                await bot.handle(event)
                answered, text = await asyncio.wait_for(reply, 30)
                if EXPECTED[step] not in text:
                    raise SystemExit(f"applicant {number}, answer {step}: unexpected reply {text[:80]!r}")
                latencies.append(answered - sent)
            out.seek(0)
            out.truncate()

    started = time.perf_counter()
    await asyncio.gather(*(applicant(n) for n in range(applicants)))
    await bot.drain()
    elapsed = time.perf_counter() - started
    async with bot.db.transaction() as session:
        submitted = await session.scalar(
            select(func.count()).select_from(Application).where(Application.status == "submitted")
        )
    await bot.stop()
    if submitted != applicants or len(latencies) != applicants * len(ANSWERS):
        raise SystemExit(f"{submitted} of {applicants} applications submitted: not a valid run")
    return elapsed, latencies


def bare_engine(applicants: int) -> float:
    """The same answers through the form engine alone: validate, render the next question."""
    translator = Catalogs().translator("en")
    started = time.perf_counter()
    for _ in range(applicants):
        answers: dict[str, object] = {}
        for typed in ANSWERS[1:-1]:
            step = DEFAULT_FORM.first_unanswered(answers)
            assert step is not None
            assert typed is not None
            labels = [label_text(c.label, translator.gettext, "en") for c in step.choices]
            result = Accepted(None) if typed == "/skip" else parse_answer(step, typed, labels)
            if not isinstance(result, Accepted):
                raise SystemExit(f"the bare engine refused {typed!r}: not a valid run")
            answers[step.field] = result.value
            following = DEFAULT_FORM.first_unanswered(answers)
            if following is not None:
                Text.join(
                    "\n\n",
                    [
                        fill(
                            translator.gettext("Question {number} of {total}: {question}"),
                            {"question": label_text(following.question, translator.gettext, "en")},
                        )
                    ],
                )
        if DEFAULT_FORM.first_unanswered(answers) is not None:
            raise SystemExit("the bare engine did not complete the form: not a valid run")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(applicants: int, in_flight: int) -> None:
    answers = applicants * len(ANSWERS)
    bare = bare_engine(applicants)
    with tempfile.TemporaryDirectory() as folder:
        full, latencies = await full_stack(applicants, in_flight, Path(folder))
    print(f"applicants: {applicants}, {in_flight} in flight, {len(ANSWERS)} answers each; SQLite, one core")
    print(f"bare engine : {answers / bare:>10,.0f} answers/s")
    print(f"full stack  : {answers / full:>10,.0f} answers/s   (target: at least 1,000)")
    print(f"ratio       : {full / bare:>10.1f}x the bare engine's time per answer")
    print(
        f"latency     : p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
        "   (target: p99 under 100 ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.applicants, arguments.in_flight))
