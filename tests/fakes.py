"""Shared test doubles: a controllable clock, a console bot harness, form answers."""

from __future__ import annotations

import asyncio
import io
import itertools
import time
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import CopBot
from bot.config import Settings
from bot.core.errors import RateLimited, RecipientUnreachable
from bot.core.pacing import RateLimits
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.types import ChatRef, IncomingMessage, Media, MessageRef, OutgoingMessage, Role, UserRef
from bot.platforms.console import ConsolePlatform
from storage.db import Database
from storage.models import Person
from storage.users import UserRepository


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 9, 22, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class RecordingConsole(ConsolePlatform):
    """The console platform, also keeping every message it sent."""

    def __init__(self, files_dir: Path) -> None:
        super().__init__(io.StringIO(), files_dir=files_dir)
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> MessageRef:
        self.sent.append(message)
        return await super().send(message)

    def transcript(self) -> str:
        assert isinstance(self.out, io.StringIO)
        return self.out.getvalue()

    def take(self) -> list[str]:
        """The output lines printed since the last call."""
        assert isinstance(self.out, io.StringIO)
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text.splitlines()


class RemoteConsole(RecordingConsole):
    """The recording console posing as a platform of people at a distance (Telegram, Matrix).

    Unlike the console, such a platform is not one local operator: its users are flood-limited.
    """

    name = "remote"
    local_operator = False


class MirrorPlatform(RemoteConsole):
    """A second chat platform in process, with its own community chat (a stand-in for
    Telegram or Matrix next to the console), whose members write with :meth:`post`."""

    community_chat = ChatRef("remote", "community")

    def __init__(self, files_dir: Path) -> None:
        super().__init__(files_dir)
        self._posted = itertools.count(1001)

    async def post(
        self,
        user: str,
        text: str | None,
        *,
        thread: str | None = None,
        message_id: str | None = None,
        reply_to: str | None = None,
        edited: bool = False,
        media: Media | None = None,
    ) -> IncomingMessage:
        """A message written by ``user`` in the community chat (or ``thread`` of it)."""
        assert self._sink is not None, "the platform is not started"
        number = message_id or str(next(self._posted))
        event = IncomingMessage(
            event_id=f"remote-{number}-{'edit' if edited else 'new'}-{uuid.uuid4().hex[:6]}",
            sender=UserRef(self.name, user, user.title()),
            chat=ChatRef(self.name, "community", thread),
            text=text,
            message_id=number,
            reply_to=reply_to,
            edited=edited,
            media=media,
        )
        await self._sink(event)
        return event


class Harness:
    """A running bot on the console platform, driven line by line like ``copbot chat``."""

    def __init__(self, bot: CopBot, console: RecordingConsole, clock: FakeClock) -> None:
        self.bot = bot
        self.console = console
        self.clock = clock

    @classmethod
    async def start(
        cls,
        db: Database,
        tmp_path: Path,
        *,
        admins: Sequence[str] = ("console:admin",),
        router: Router | None = None,
        clock: FakeClock | None = None,
        extra_platforms: Sequence[Platform] = (),
        **settings: object,
    ) -> Harness:
        clock = clock or FakeClock()
        config = Settings(
            database_url=str(db.url.render_as_string(hide_password=False)),
            admins=tuple(admins),
            sample_data=False,
            files_dir=tmp_path / "files",
            **settings,  # type: ignore[arg-type]
        )
        console = RecordingConsole(tmp_path / "files")
        bot = CopBot(config, [console, *extra_platforms], clock=clock, db=db, router=router)
        await bot.start(migrate=False)
        return cls(bot, console, clock)

    async def say(self, line: str, *, as_: str = "alice", lang: str | None = None) -> list[str]:
        """Feed one input line, wait until it is handled, return the lines printed."""
        if lang is not None:
            self.console.languages[as_] = lang
        await self.console.feed(line, as_)
        await self.bot.drain()
        return self.console.take()

    def payloads(self) -> list[str]:
        """The button payloads of the last message sent with buttons, in order."""
        for message in reversed(self.console.sent):
            if message.buttons:
                return [button.payload for row in message.buttons for button in row]
        return []

    async def press(self, payload: str, *, as_: str, chat: str | None = None) -> list[str]:
        """Press a button by its payload: as someone it was not shown to, in a group chat
        (``chat``), or after a restart (the console's ``#N`` only reaches the user's last
        keyboard in their direct chat). Returns the lines printed."""
        await self.bot.handle(
            IncomingMessage(
                event_id=uuid.uuid4().hex,
                sender=UserRef("console", as_, as_, self.console.languages.get(as_), as_),
                chat=ChatRef("console", chat or as_),
                is_direct=chat is None,
                button=payload,
            )
        )
        await self.bot.drain()
        return self.console.take()

    async def stop(self) -> None:
        await self.bot.stop()


class LimitedPlatform(ConsolePlatform):
    """An in-process platform that enforces rate limits the way Telegram does.

    A send that would exceed ``limits`` is refused with ``RateLimited`` and counted in
    ``violations``; ``blocked`` users answer like a Telegram 403; ``throttle_once`` users
    get one 429 with ``retry_after`` before their first delivery succeeds. Every
    delivered message is kept in ``delivered`` as ``(monotonic time, recipient id, text)``.
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        name: str = "limited",
        blocked: Collection[str] = (),
        throttle_once: Collection[str] = (),
        retry_after: float = 0.2,
        latency: float = 0.0,
    ) -> None:
        super().__init__(io.StringIO(), files_dir=Path("."))
        self.name = name
        self.local_operator = False  # it stands for Telegram: its users are many
        self.rate_limits = limits
        self.blocked = set(blocked)
        self.throttle_once = set(throttle_once)
        self.retry_after = retry_after
        self.latency = latency
        self.delivered: list[tuple[float, str, str]] = []
        self.violations = 0
        self.violation_log: list[str] = []
        self.injected = 0

    async def send(self, message: OutgoingMessage) -> MessageRef:
        # Judged when the request leaves: with a constant network delay that is the
        # spacing the server sees (a delay here would only add our own loop's jitter).
        now = time.monotonic()
        recipient = message.to.id
        if recipient in self.blocked:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        if recipient in self.throttle_once:
            self.throttle_once.discard(recipient)
            self.injected += 1
            raise RateLimited(self.retry_after)
        if reason := self._exceeds(recipient, now):
            self.violations += 1
            self.violation_log.append(f"{recipient} at {now:.3f}: {reason}")
            raise RateLimited(1.0)
        self.delivered.append((now, recipient, str(message.text)))
        number = len(self.delivered)
        if self.latency:
            await asyncio.sleep(self.latency)
        return MessageRef(ChatRef(self.name, recipient), str(number))

    def _exceeds(self, recipient: str, now: float) -> str:
        limits = self.rate_limits
        tolerance = 0.005  # timer jitter
        if limits.per_second:
            window = [t for t, _, _ in self.delivered[-int(limits.per_second) :] if now - t < 1.0 - tolerance]
            if len(window) >= limits.per_second:
                return f"{len(window)} messages in the last second"
        if limits.chat_interval:
            for t, who, _ in reversed(self.delivered):
                if who == recipient:
                    gap = now - t
                    return (
                        f"{gap:.3f} s after the last one to this chat"
                        if gap < limits.chat_interval - tolerance
                        else ""
                    )
        return ""


def form_answers(name: str = "Alice Doe", email: str = "alice@example.org", prefix: str = "/") -> list[str]:
    """Typed answers to the default application form, in order, up to the summary (English).

    Args:
        name: the full name given.
        email: the email address given.
        prefix: the platform's command prefix (``!`` on Matrix) for the ``skip`` command.
    """
    return [
        name,
        email,
        "Independent",
        "Trainer",
        "Kenia",  # a country typed in Spanish
        "English, French",
        "1, 4",
        "12",
        "government, media",
        "I want to learn from other trainers and share my materials.",
        f"{prefix}skip",
        "yes",
        "yes",
    ]


def carla_form_answers() -> list[str]:
    """Carla Ruiz's typed answers to the default application form, in Spanish, up to the summary.

    An NGO trainer in Peru who writes in Spanish and answers ``sí`` to both consents; the
    pendant of :func:`form_answers` for tests of an applicant in another language.
    """
    return [
        "Carla Ruiz",
        "carla@example.org",
        "ONG",
        "Formadora",
        "Perú",
        "español",
        "1",
        "3",
        "1",
        "Quiero aprender de otras formadoras.",
        "/skip",
        "sí",
        "sí",
    ]


async def add_people(
    session: AsyncSession, now: datetime, people: Iterable[tuple[str, Iterable[Role], str | None]]
) -> dict[str, int]:
    """Console people ``(name, roles, country)`` with those roles; their person ids by name."""
    users = UserRepository(session)
    ids: dict[str, int] = {}
    for name, roles, country in people:
        person = (await users.resolve(UserRef("console", name, name.title(), username=name), now)).person_id
        for role in roles:
            await users.grant(person, role, now)
        (await session.get(Person, person)).country = country  # type: ignore[union-attr]
        ids[name] = person
    return ids


async def start_with_people(
    db: Database,
    tmp_path: Path,
    clock: FakeClock,
    people: Iterable[tuple[str, Iterable[Role], str | None]],
    **settings: Any,
) -> tuple[Harness, dict[str, int]]:
    """A running console bot (:meth:`Harness.start`) with ``people`` seated by :func:`add_people`.

    Returns the harness, to be stopped by the caller, and the people's ids by name.
    """
    harness = await Harness.start(db, tmp_path, clock=clock, **settings)
    async with db.transaction() as session:
        ids = await add_people(session, clock.now(), people)
    return harness, ids


def without_direction_marks(line: str) -> str:
    """``line`` without the isolates and marks that keep a right-to-left line in order."""
    return "".join(char for char in line if char not in "\u2066\u2067\u2068\u2069\u200e\u200f")
