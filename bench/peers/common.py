"""What the three bots share: the form's questions, the answers, the load and the result.

Importable without copbot (the aiogram process runs in its own virtualenv): only the
standard library and the fake Bot API of ``tests.platforms.telegram.fake``.

Every process runs the fake, one bot and this load generator, on one core. Each
applicant sends ``/start`` (``/apply`` for copbot), the 8 answers and presses Submit
under the summary, one after the other, waiting for the bot's next question each time.
An answer's latency runs from the update being queued in the fake to the bot's reply to
that chat arriving in the fake. A reply that is not the expected one stops the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any

from bench import pin_to_one_core

#: The 8 questions, the same words in every bot (copbot adds "Question n of 8" and hints).
QUESTIONS = {
    "full_name": "What is your full name?",
    "email": "What is your email address?",
    "organisation": "Which organisation do you work for?",
    "country": "In which country are you based?",
    "languages": "In which languages do you train?",
    "experience": "How many years of experience do you have as a gender trainer?",
    "motivation": "Why do you want to join the community of practice?",
    "data_consent": "Do you agree that we store and process the answers in this form?",
}
FIELDS = list(QUESTIONS)
#: The typed languages a multi-choice answer may name (by label or by number).
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ar": "Arabic",
    "ru": "Russian",
    "zh": "Chinese",
}
#: Countries the PTB and aiogram forms accept (copbot checks its own full list).
COUNTRIES = frozenset(
    name.casefold()
    for line in (
        "Afghanistan Argentina Australia Bangladesh Bolivia Brazil Cameroon Canada Chile China",
        "Colombia Ecuador Egypt Ethiopia France Germany Ghana Guatemala India Indonesia Iran Iraq",
        "Italy Japan Jordan Kenya Lebanon Mali Mexico Morocco Mozambique Nepal Niger Nigeria",
        "Pakistan Peru Philippines Russia Rwanda Senegal Somalia Spain Sudan Sweden Tanzania",
        "Tunisia Turkey Uganda Ukraine Uruguay Yemen Zambia Zimbabwe",
    )
    for name in line.split(" ")
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: What every applicant types, in order; Submit is pressed after the last.
ANSWERS = [
    "Alex Applicant",
    "alex@example.org",
    "Independent",
    "Kenya",
    "English, French",
    "12",
    "I want to learn from other trainers and share my materials.",
    "yes",
]
SUMMARY = "Please check your answers"
THANKS = "Thank you"
#: Text each reply must contain: the 8 questions, the summary, the thanks.
EXPECTED = [*QUESTIONS.values(), SUMMARY, THANKS]
FIRST_USER = 10_000
#: The moderators' group of the fake (``FakeTelegram.moderators_id``): told of each application.
MODERATORS = -1002


def validate(field: str, text: str) -> tuple[Any, str | None]:
    """The value of an answer, or an error to send back (the PTB and aiogram forms)."""
    text = text.strip()
    if field in ("full_name", "organisation"):
        return (text, None) if 2 <= len(text) <= 200 else (None, "Please write between 2 and 200 characters.")
    if field == "email":
        return (text, None) if EMAIL.match(text) else (None, "That does not look like an email address.")
    if field == "country":
        return (text, None) if text.casefold() in COUNTRIES else (None, "Please type a country's name.")
    if field == "languages":
        by_label = {label.casefold(): code for code, label in LANGUAGES.items()}
        numbers = dict(enumerate(LANGUAGES, start=1))
        chosen = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            code = numbers.get(int(part)) if part.isdigit() else by_label.get(part.casefold())
            if code is None:
                return None, f"I do not know the language {part!r}."
            chosen.append(code)
        return (chosen, None) if chosen else (None, "Please name at least one language.")
    if field == "experience":
        ok = text.isdigit() and 0 <= int(text) <= 60
        return (int(text), None) if ok else (None, "Please type a number from 0 to 60.")
    if field == "motivation":
        return (text, None) if 20 <= len(text) <= 1500 else (None, "Please write at least 20 characters.")
    if text.casefold() in ("yes", "no"):
        return text.casefold() == "yes", None
    return None, "Please answer yes or no."


def summary(answers: dict[str, Any]) -> str:
    lines = [f"{SUMMARY}:"] + [f"<b>{field}</b>: {answers.get(field)}" for field in FIELDS]
    return "\n".join(lines)


def stub_telegram() -> None:
    """Let the fake be imported where python-telegram-bot is not installed (aiogram's venv).

    The fake names PTB only for :class:`FakeRequest`, which the aiogram process does not use.
    """
    if "telegram" in sys.modules:
        return
    try:
        import telegram.request  # noqa: F401, TID251 (only to see whether PTB is there)
    except ImportError:
        package, request = types.ModuleType("telegram"), types.ModuleType("telegram.request")
        request.BaseRequest = object  # type: ignore[attr-defined]
        request.RequestData = object  # type: ignore[attr-defined]
        package.request = request  # type: ignore[attr-defined]
        sys.modules |= {"telegram": package, "telegram.request": request}


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--spawned", type=float, default=None, help="time.time() when the driver spawned us")
    parser.add_argument("--folder", default=None, help="where the bot keeps its files")
    return parser.parse_args()


#: One peer's run: its folder, the applicants, how many in flight, when the driver spawned it.
Serve = Callable[[Path, int, int, float | None], Coroutine[Any, Any, None]]


def run_peer(serve: Serve, description: str) -> None:
    """A peer process's ``main``: its options, one core, a folder of its own, then ``serve``."""
    options = arguments(description)
    pin_to_one_core()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(
            serve(Path(options.folder or folder), options.applicants, options.in_flight, options.spawned)
        )


class Load:
    """The applicants, driving the fake Bot API ``api`` (a ``FakeTelegram``)."""

    def __init__(self, api: Any, applicants: int, in_flight: int) -> None:
        self.api, self.applicants, self.in_flight = api, applicants, in_flight
        self.ready_at: float | None = None
        self.listening = asyncio.Event()
        self.waiting: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self.latencies: list[float] = []
        self.finished: set[int] = set()
        for number in range(applicants):
            api.user(FIRST_USER + number, f"Applicant {number}")
        api.on_send = self._sent
        calling = api.call

        async def call(method: str, params: Any, files: Any) -> tuple[int, Any]:
            if self.ready_at is None and method.lower() == "getupdates":
                self.ready_at = time.time()
                self.listening.set()
            answer: tuple[int, Any] = await calling(method, params, files)
            return answer

        api.call = call

    def _sent(self, sent: Any) -> None:
        waiting = self.waiting.get(sent.chat_id)
        if waiting is not None and waiting[0] in sent.text and not waiting[1].done():
            waiting[1].set_result((time.perf_counter(), sent))

    def _command(self, user: int, command: str) -> None:
        """Send ``command`` as Telegram does: with its ``bot_command`` entity."""
        self.api.say(user, command)
        message = self.api.updates[-1]["message"]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]

    async def _answer(self, user: int, expected: str, act: Callable[[], object]) -> Any:
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[user] = (expected, reply)
        started = time.perf_counter()
        act()
        try:
            arrived, sent = await asyncio.wait_for(reply, 30)
        except TimeoutError:
            said = [s.text[:80] for s in self.api.to(user)][-2:]
            raise SystemExit(
                f"user {user}: no reply containing {expected!r} within 30 s (last: {said})"
            ) from None
        self.latencies.append(arrived - started)
        return sent

    async def _applicant(self, number: int, start: str, slots: asyncio.Semaphore) -> None:
        user = FIRST_USER + number
        async with slots:
            await self._answer(user, EXPECTED[0], lambda: self._command(user, start))
            for typed, expected in zip(ANSWERS, EXPECTED[1:-1], strict=True):
                last = await self._answer(user, expected, partial(self.api.say, user, typed))
            button = next(b for row in last.buttons for b in row if "Submit" in b["text"])
            payload = button["callback_data"]
            await self._answer(user, THANKS, lambda: self.api.press(user, last, payload))
            del self.waiting[user]
            self.finished.add(user)
            if len(self.finished) % 50 == 0:  # the fake's record, not the bot's memory
                self.api.sent[:] = [s for s in self.api.sent if s.chat_id not in self.finished]
                self.api.calls.clear()

    async def run(self, start: str) -> float:
        """Seconds for every applicant to finish."""
        await asyncio.wait_for(self.listening.wait(), 60)
        slots = asyncio.Semaphore(self.in_flight)
        began = time.perf_counter()
        await asyncio.gather(*(self._applicant(n, start, slots) for n in range(self.applicants)))
        return time.perf_counter() - began


def report(name: str, load: Load, seconds: float, spawned: float | None, note: str = "") -> None:
    """Print the result as one JSON line for the driver."""
    cuts = statistics.quantiles(load.latencies, n=100) if len(load.latencies) > 1 else None
    result = {
        "name": name,
        "forms": load.applicants,
        "answers": len(load.latencies),
        "forms_per_s": load.applicants / seconds if load.applicants else None,
        "p50_ms": cuts[49] * 1e3 if cuts else None,
        "p99_ms": cuts[98] * 1e3 if cuts else None,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ready_s": None if spawned is None or load.ready_at is None else load.ready_at - spawned,
        "note": note,
    }
    print("RESULT " + json.dumps(result), flush=True)
