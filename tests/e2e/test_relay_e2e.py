"""Mirrored threads end to end: one ``copbot run`` serving Telegram and Matrix at once.

The bot process talks to the loopback fake Bot API (a forum supergroup as the
community chat) and to a real Synapse (a room as the community chat). One dialogue
prompt is posted as a forum topic and as an ``m.thread``; members write in both and
every reply must reach the other side once: attributed, edits and redactions
following, no copy of a copy, and nothing lost or doubled on Matrix by a ``kill -9``.
Files go across as files: a Telegram photo becomes an ``m.image`` in the thread, a
Matrix ``m.file`` a document in the topic, and a file too large to fetch a note.

The bot runs as ``python -m tests.e2e.relay_bot run``: ``copbot run`` with Telegram's
per-chat and per-group pacing lifted (see that module), since 50 copies into one topic
take 2.5 minutes at the published 20 a minute. Outside CI the test is skipped with the
reason when Synapse is unavailable; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nio import UploadResponse

from bot.core.types import Media, MediaKind, Role, UserRef
from bot.outbox import MAX_IN_FLIGHT
from bot.platforms.matrix.files import download
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.users import UserRepository
from tests.platforms.matrix.conftest import ROOT, BotProcess, Member, Source, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import community, joined
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram, Sent

pytestmark = pytest.mark.slow
TANIA = 2  # the Telegram member
PROMPT = "What would you tell a new trainer?"
MIXED = 50  # replies from each side in the mixed run
KILLED = 30  # replies from each side around the kill


class RelayBot:
    """``copbot run`` (through :mod:`tests.e2e.relay_bot`) on Telegram and Matrix at once."""

    def __init__(self, synapse: Synapse, workdir: Path, server: FakeBotApiServer) -> None:
        self.matrix = BotProcess(synapse, workdir)
        self.user_id = self.matrix.user_id
        api = server.api
        self.env = self.matrix.env | {
            "COPBOT_SAMPLE_DATA": "false",
            "COPBOT_DIALOGUE_TICK_SECONDS": "1",
            "COPBOT_TELEGRAM__TOKEN": TOKEN,
            "COPBOT_TELEGRAM__API_URL": server.base_url,
            "COPBOT_TELEGRAM__COMMUNITY_CHAT_ID": str(api.community_id),
            "COPBOT_TELEGRAM__MODERATOR_CHAT_ID": str(api.moderators_id),
        }
        self.database = workdir / "bot.db"
        self.log = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, patience: float = 60.0) -> None:
        """Start the bot and wait, without blocking the loop the fake Bot API runs on."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.e2e.relay_bot",
                "run",
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        await self.until(
            lambda: "copbot started on" in self.log.read_bytes()[offset:].decode(errors="replace"),
            "the bot to start",
            patience,
        )

    def alive(self) -> None:
        assert self.process is not None
        assert self.process.returncode is None, f"the bot exited: {self.output()[-3000:]}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def until(self, condition: Callable[[], object], what: str, patience: float = 30.0) -> None:
        deadline = time.monotonic() + patience
        while not condition():
            self.alive()
            assert time.monotonic() < deadline, f"timed out waiting for {what}; log:\n{self.output()[-3000:]}"
            await asyncio.sleep(0.02)

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApiServer]:
    api = FakeTelegram()
    api.user(TANIA, "Tania")
    running = FakeBotApiServer(api)
    await running.start()
    yield running
    await running.stop()
    assert api.unknown == [], f"the bot called methods the Bot API lacks: {api.unknown}"


async def seed(database: Path, amina: str) -> None:
    """A dialogue whose one prompt is due now, and a member on each platform."""
    db = Database(f"sqlite+aiosqlite:///{database}")
    now = datetime.now(UTC)
    try:
        async with db.transaction() as session:
            dialogues = DialogueRepository(session)
            dialogue = await dialogues.create(
                title={"en": "Relay dialogue"},
                start=now.date(),
                end=now.date() + timedelta(days=7),
                timezone="UTC",
                now=now,
            )
            await dialogues.add_prompt(dialogue.id, {"en": PROMPT}, now)
            users = UserRepository(session)
            for ref in (UserRef("telegram", str(TANIA), "Tania"), UserRef("matrix", amina, "Amina")):
                await users.grant((await users.resolve(ref, now)).person_id, Role.MEMBER, now)
    finally:
        await db.dispose()


def bot_bodies(member: Member, room: str, bot_user: str) -> list[str]:
    """The bodies of the new messages (not edits) the bot posted in ``room``."""
    return [
        source["content"]["body"]
        for room_id, source in member.events
        if room_id == room
        and source.get("sender") == bot_user
        and source.get("type") == "m.room.message"
        and "m.new_content" not in source.get("content", {})
    ]


def copies(api: FakeTelegram, topic: int, marker: str) -> list[Sent]:
    return [sent for sent in api.to(api.community_id, topic) if marker in sent.text]


@contextlib.asynccontextmanager
async def mirrored_prompt(
    homeserver: Synapse, server: FakeBotApiServer, tmp_path: Path
) -> AsyncIterator[tuple[FakeTelegram, RelayBot, Member, str, int, Source]]:
    """``copbot run`` on both platforms with the seeded prompt posted: a forum topic on Telegram,
    a thread root on Matrix, and Amina in the Matrix community room.

    Yields:
        the fake Bot API, the bot, Amina, the Matrix room, the Telegram topic and the thread root.
    """
    api = server.api
    bot = RelayBot(homeserver, tmp_path / "bot", server)
    mod, amina = Member(homeserver, unique("mod")), Member(homeserver, unique("amina"))
    await mod.start()
    await amina.start()
    try:
        room, moderators = await community(mod, bot.user_id)
        bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"] = room
        bot.env["COPBOT_MATRIX__MODERATOR_ROOM"] = moderators
        assert not hasattr(await mod.client.room_invite(room, amina.user_id), "status_code")
        await amina.wait_for(joined(amina.user_id, room), what="Amina in the community room")
        bot.matrix.cli("db", "upgrade")
        await seed(bot.database, amina.user_id)
        await bot.start()
        topics = api.topics[api.community_id]
        await bot.until(lambda: any(api.to(api.community_id, t) for t in topics), "the prompt's topic")
        [topic] = topics
        _, root = await amina.wait_for_text(PROMPT, room)
        yield api, bot, amina, room, topic, root
    finally:
        await bot.stop()
        await amina.stop()
        await mod.stop()
    assert "Traceback" not in bot.output()


async def test_one_conversation_across_telegram_and_matrix(
    homeserver: Synapse, server: FakeBotApiServer, tmp_path: Path
) -> None:
    async with mirrored_prompt(homeserver, server, tmp_path) as (api, bot, amina, room, topic, root):
        assert PROMPT in api.texts(api.community_id, topic)[0]
        thread = {"rel_type": "m.thread", "event_id": root["event_id"], "is_falling_back": True}

        # Telegram → Matrix, in the thread, attributed.
        api.say(TANIA, "Listen before you teach.", chat_id=api.community_id, thread_id=topic)
        _, copy = await amina.wait_for_text("Tania (Telegram): Listen before you teach.", room)
        assert copy["sender"] == bot.user_id
        assert copy["content"]["m.relates_to"]["rel_type"] == "m.thread"
        assert copy["content"]["m.relates_to"]["event_id"] == root["event_id"]

        # Matrix → Telegram; the edit follows with editMessageText, the redaction with deleteMessage.
        first = await amina.send(room, "Role plays.", thread)
        await bot.until(lambda: copies(api, topic, "(Matrix): Role plays."), "Amina's reply in the topic")
        [relayed] = copies(api, topic, "(Matrix): Role plays.")
        assert relayed.text == "Amina (Matrix): Role plays."
        assert "<b>Amina</b>" in relayed.html
        await amina.send(
            room,
            "* Role plays, then a debrief.",
            {"rel_type": "m.replace", "event_id": first},
            **{"m.new_content": {"msgtype": "m.text", "body": "Role plays, then a debrief."}},
        )
        await bot.until(lambda: relayed.edits == 1, "the edit in the topic")
        assert relayed.text.endswith("(Matrix): Role plays, then a debrief.")
        assert any(method == "editMessageText" for method, _ in api.calls)
        assert not hasattr(await amina.client.room_redact(room, first), "status_code")
        await bot.until(lambda: relayed not in api.sent, "the copy deleted")
        assert (
            "deleteMessage",
            {"chat_id": str(api.community_id), "message_id": str(relayed.message_id)},
        ) in [(method, {key: str(value) for key, value in params.items()}) for method, params in api.calls]

        # 100 mixed replies: each relayed once to the other side, no copy of a copy.
        started = time.monotonic()
        for n in range(MIXED):
            api.say(TANIA, f"tg-{n:03}", chat_id=api.community_id, thread_id=topic)
            await amina.send(room, f"mx-{n:03}", thread)
        await bot.until(
            lambda: (
                len(copies(api, topic, "(Matrix): mx-")) >= MIXED
                and sum("(Telegram): tg-" in body for body in bot_bodies(amina, room, bot.user_id)) >= MIXED
            ),
            "the mixed replies relayed",
            patience=60,
        )
        elapsed = time.monotonic() - started
        await asyncio.sleep(2)  # anything doubled or looping would arrive meanwhile
        on_telegram = Counter(sent.text.split(": ", 1)[1] for sent in copies(api, topic, "(Matrix): mx-"))
        on_matrix = Counter(
            body.split(": ", 1)[1]
            for body in bot_bodies(amina, room, bot.user_id)
            if "(Telegram): tg-" in body
        )
        assert on_telegram == Counter(f"mx-{n:03}" for n in range(MIXED))
        assert on_matrix == Counter(f"tg-{n:03}" for n in range(MIXED))
        assert not copies(api, topic, "(Telegram)"), "a copy came back to where it was written"
        assert not [body for body in bot_bodies(amina, room, bot.user_id) if "(Matrix)" in body]
        assert amina.gaps == 0
        print(f"\n{2 * MIXED} mixed replies relayed both ways in {elapsed:.1f} s")

        # kill -9 mid-relay, restart: every copy arrives, none twice on Matrix.
        api.latency = 0.05  # Telegram sends take a while: the kill lands among them
        for n in range(KILLED):
            api.say(TANIA, f"k-tg-{n:03}", chat_id=api.community_id, thread_id=topic)

        async def write_on_matrix() -> None:
            for n in range(KILLED):
                await amina.send(room, f"k-mx-{n:03}", thread)

        writing = asyncio.create_task(write_on_matrix())
        await bot.until(
            lambda: len(copies(api, topic, "(Matrix): k-mx-")) >= 5, "some relays before the kill"
        )
        await bot.kill()
        await writing
        before_tg = len(copies(api, topic, "(Matrix): k-mx-"))
        before_mx = sum("(Telegram): k-tg-" in body for body in bot_bodies(amina, room, bot.user_id))
        assert before_tg + before_mx < 2 * KILLED, "every relay was sent before the kill"
        await bot.start()
        killed_tg = Counter[str]()

        def all_arrived() -> bool:
            killed_tg.clear()
            killed_tg.update(sent.text.split(": ", 1)[1] for sent in copies(api, topic, "(Matrix): k-mx-"))
            on_matrix = {body for body in bot_bodies(amina, room, bot.user_id) if "(Telegram): k-tg-" in body}
            return len(killed_tg) == KILLED and len(on_matrix) == KILLED

        await bot.until(all_arrived, "every relay after the restart", patience=60)
        await asyncio.sleep(2)
        all_arrived()
        killed_mx = Counter(
            body.split(": ", 1)[1]
            for body in bot_bodies(amina, room, bot.user_id)
            if "(Telegram): k-tg-" in body
        )
        assert killed_mx == Counter(f"k-tg-{n:03}" for n in range(KILLED)), "a Matrix copy lost or doubled"
        doubled = sum(count - 1 for count in killed_tg.values())
        assert set(killed_tg) == {f"k-mx-{n:03}" for n in range(KILLED)}
        assert doubled <= MAX_IN_FLIGHT, f"{doubled} Telegram copies doubled"
        assert amina.gaps == 0
        print(
            f"kill -9 after {before_tg} of {KILLED} copies on Telegram and {before_mx} on Matrix; "
            f"{doubled} doubled on Telegram, 0 on Matrix"
        )


async def test_files_cross_as_files_within_limits(
    homeserver: Synapse, server: FakeBotApiServer, tmp_path: Path
) -> None:
    async with mirrored_prompt(homeserver, server, tmp_path) as (api, bot, amina, room, topic, root):
        thread = {"rel_type": "m.thread", "event_id": root["event_id"], "is_falling_back": True}

        def from_bot(msgtype: str) -> Callable[[str, dict[str, object]], bool]:
            def matches(room_id: str, source: dict[str, object]) -> bool:
                content = source.get("content")
                return (
                    room_id == room
                    and source.get("sender") == bot.user_id
                    and isinstance(content, dict)
                    and content.get("msgtype") == msgtype
                    and content.get("m.relates_to", {}).get("event_id") == root["event_id"]
                )

            return matches

        # Telegram photo → an m.image in the thread, after its attribution
        photo = b"\xff\xd8\xff\xe0 a workshop photo"
        api.share(TANIA, api.photo(photo), "Our workshop", chat_id=api.community_id, thread_id=topic)
        await amina.wait_for_text("Tania (Telegram): Our workshop", room)
        _, image = await amina.wait_for(from_bot("m.image"), what="the photo as an m.image")
        content = image["content"]
        assert content["info"]["mimetype"] == "image/jpeg"
        assert await download(amina.client, Media(MediaKind.PHOTO, ref=content["url"]), 1 << 20) == photo

        # Matrix m.file → a document in the topic, the attribution as its caption
        plan = b"%PDF-1.7 the 2027 plan"
        uploaded, _ = await amina.client.upload(
            io.BytesIO(plan), content_type="application/pdf", filename="plan.pdf", filesize=len(plan)
        )
        assert isinstance(uploaded, UploadResponse)
        await amina.send(
            room,
            "Our 2027 plan",
            thread,
            msgtype="m.file",
            filename="plan.pdf",
            url=uploaded.content_uri,
            info={"mimetype": "application/pdf", "size": len(plan)},
        )
        documents = lambda: [sent for sent in api.to(api.community_id, topic) if sent.kind == "document"]  # noqa: E731
        await bot.until(documents, "the file as a document in the topic")
        [document] = documents()
        assert (document.filename, document.data) == ("plan.pdf", plan)
        assert document.caption == "Amina (Matrix): Our 2027 plan"

        # too large for Telegram's getFile: a note in the thread saying where it is
        huge = api.document(b"", "recording.pdf", "application/pdf", size=25 * 1024 * 1024)
        api.share(TANIA, huge, chat_id=api.community_id, thread_id=topic)
        _, note = await amina.wait_for_text("sent a document too large to copy here, recording.pdf", room)
        assert note["content"]["body"].endswith("see it on Telegram.")
        await asyncio.sleep(1)  # nothing else arrives: one image, one document
        assert len([s for s in amina.events if from_bot("m.image")(*s)]) == 1
        assert len(documents()) == 1
