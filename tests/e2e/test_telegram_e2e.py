"""The real ``copbot run`` process against a fake Bot API on loopback HTTP.

The fake (:class:`tests.platforms.telegram.fake.FakeBotApiServer`) speaks the Bot API's
HTTP protocol; the bot reaches it through ``COPBOT_TELEGRAM__API_URL`` with PTB's own
HTTPX transport, so everything between the handlers and the wire is the production code.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.handlers.application.test_application import ANSWERS
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram, Sent, WebhookPusher

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ADMIN, ALICE, CARLOS = 1, 2, 3


class Copbot:
    """``copbot run`` (or another ``copbot`` command) as a subprocess."""

    def __init__(self, tmp_path: Path, server: FakeBotApiServer) -> None:
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COPBOT_")}
        self.env |= {
            "COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "COPBOT_SAMPLE_DATA": "false",
            "COPBOT_ADMINS": f"telegram:{ADMIN}",
            "COPBOT_FILES_DIR": str(tmp_path / "files"),
            "COPBOT_FLOOD__RATE": "1000",
            "COPBOT_FLOOD__BURST": "1000",
            "COPBOT_DIALOGUE_TICK_SECONDS": "1",
            "COPBOT_TELEGRAM__TOKEN": TOKEN,
            "COPBOT_TELEGRAM__API_URL": server.base_url,
            "COPBOT_TELEGRAM__COMMUNITY_CHAT_ID": str(server.api.community_id),
            "COPBOT_TELEGRAM__MODERATOR_CHAT_ID": str(server.api.moderators_id),
        }
        self.db = tmp_path / "bot.db"
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = tmp_path / "stderr.log"

    async def command(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def start(self) -> None:
        with self.stderr.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stderr=log
            )

    async def stop(self) -> str:
        """SIGTERM, and the log; the process must exit cleanly."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        log = self.stderr.read_text()
        assert code == 0, log
        return log

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)

    def alive(self) -> None:
        assert self.process is not None
        assert self.process.returncode is None, self.stderr.read_text()


async def until(condition: Callable[[], object], what: str, bot: Copbot, patience: float = 20.0) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        bot.alive()
        assert time.monotonic() < deadline, f"timed out waiting for {what}; log:\n{bot.stderr.read_text()}"
        await asyncio.sleep(0.01)


def journalled(path: Path) -> set[int]:
    """The Telegram chats with a reply still in the journal (committed, not known to be sent)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT recipient_id FROM pending_replies WHERE platform = 'telegram'")
        return {int(row[0]) for row in rows}


def repeats(replies: Counter[int]) -> int:
    """How many replies arrived twice (or more)."""
    return sum(count - 1 for count in replies.values())


def claimed(path: Path) -> set[str]:
    """The Telegram events the bot recorded as handled."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT event_id FROM processed_events WHERE platform = 'telegram'")
        return {row[0] for row in rows}


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApiServer]:
    api = FakeTelegram()
    api.user(ADMIN, "Ada Admin")
    api.user(ALICE, "Alice")
    api.user(CARLOS, "Carlos", "es")
    running = FakeBotApiServer(api)
    await running.start()
    yield running
    await running.stop()
    assert api.unknown == [], f"the bot called methods the Bot API lacks: {api.unknown}"


async def test_apply_approve_dialogue_topic_and_wiki_over_http(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    api = server.api
    bot = Copbot(tmp_path, server)
    imported = await bot.command("wiki", "import", str(ROOT / "handlers" / "wiki" / "sample"))
    assert "entries added" in imported
    await bot.start()
    try:
        await until(lambda: any(m == "getUpdates" for m, _ in api.calls), "the first getUpdates", bot)

        async def answer(user: int, update_id: int) -> Sent:
            """Wait until the bot answered ``user`` after update ``update_id``; the last message."""
            before = len(api.to(user))
            await until(lambda: api.confirmed > update_id and len(api.to(user)) > before, "an answer", bot)
            return api.to(user)[-1]

        # A join request opens the form in private; the answers go there.
        last = await answer(ALICE, api.request_join(ALICE))
        assert "application form" in " ".join(api.texts(ALICE))
        for text in ANSWERS:
            last = await answer(ALICE, api.say(ALICE, text))
        assert last.text.startswith("Please check your answers.")
        await answer(ALICE, api.press(ALICE, last, api.button(last, "Submit")))
        assert "has been sent to the moderators" in api.texts(ALICE)[-1]

        # One review card in the moderators' group; the admin approves there.
        [card] = api.to(api.moderators_id)
        assert "New application #1 from Alice Doe" in card.text
        api.press(ADMIN, card, api.button(card, "Approve"))
        await until(lambda: ALICE in api.members[api.community_id], "the join request approved", bot)
        assert (
            "approveChatJoinRequest",
            {"chat_id": str(api.community_id), "user_id": str(ALICE)},
        ) in api.calls

        # A dialogue planned in the moderators' group; its prompt becomes a forum topic.
        group = api.moderators_id
        today = datetime.now(UTC).date()
        planned = await answer(
            group,
            api.say(
                ADMIN, f'/dialogue_new "Telegram dialogue" {today} {today + timedelta(days=7)}', chat_id=group
            ),
        )
        dialogue = planned.text.split()[1]
        due = datetime.now(UTC) + timedelta(seconds=2)
        await answer(
            group,
            api.say(
                ADMIN,
                f"/prompt_add {dialogue} {due:%Y-%m-%d %H:%M:%S} What would you tell a new trainer?",
                chat_id=group,
            ),
        )
        topics = api.topics[api.community_id]
        await until(
            lambda: any(api.to(api.community_id, thread) for thread in topics), "the prompt's topic", bot
        )
        [(thread, topic)] = topics.items()
        assert topic["name"].startswith("Telegram dialogue")
        assert "What would you tell a new trainer?" in api.texts(api.community_id, thread)[0]

        # Members reply in the topic; the export has their replies.
        api.say(ALICE, "Listen before you teach.", chat_id=api.community_id, thread_id=thread)
        api.say(ADMIN, "Bring <local> examples & stories.", chat_id=api.community_id, thread_id=thread)
        await until(lambda: api.pending == 0, "the replies confirmed", bot)
        api.say(ADMIN, f"/export {dialogue} md", chat_id=group)
        await until(lambda: any(sent.kind == "document" for sent in api.to(group)), "the export", bot)
        [document] = [sent for sent in api.to(group) if sent.kind == "document"]
        markdown = document.data.decode()
        assert "Listen before you teach." in markdown
        # member text is escaped in Markdown: it reads the same, and runs nothing
        assert "Bring &lt;local&gt; examples &amp; stories." in markdown
        assert "<local>" not in markdown

        # /wiki in private, with paging buttons.
        found = await answer(ALICE, api.say(ALICE, "/wiki gender"))
        next_page = api.button(found, found.buttons[-1][-1]["text"])
        assert next_page.startswith("wiki:p:")
        page_two = await answer(ALICE, api.press(ALICE, found, next_page))
        assert page_two.text != found.text
        assert len(api.answered) == 3  # Submit, Approve, next page: every press answered
    finally:
        log = await bot.stop()
    assert "Traceback" not in log


async def test_kill_9_with_100_updates_pending_handles_each_once_and_answers_everyone(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    api = server.api
    users = range(1000, 1100)
    for user in users:
        api.user(user, f"User {user}")
        api.say(user, "/help")
    api.latency = 0.01  # each reply takes a while: the kill lands mid-batch
    bot = Copbot(tmp_path, server)
    await bot.start()
    await until(lambda: len(api.sent) >= 15, "some replies", bot, patience=30)
    bot.kill()
    await bot.process.wait()  # type: ignore[union-attr]
    await api.settled()  # the sends made just before the kill still reach Telegram
    first_run = len(api.sent)
    assert first_run < 100, "everything was handled before the kill"
    assert api.pending > 0, "every update was confirmed before the kill"
    # Only handled updates were confirmed: each below the offset is in the ledger.
    assert claimed(bot.db) >= {f"update:{n}" for n in range(1, api.confirmed)}
    left = journalled(bot.db)
    in_flight = left & {sent.chat_id for sent in api.sent}  # received, not yet forgotten

    again = Copbot(tmp_path, server)
    await again.start()
    try:
        await until(lambda: api.pending == 0, "every update confirmed", again, patience=60)
    finally:
        log = await again.stop()
    assert "Traceback" not in log
    assert claimed(bot.db) == {f"update:{n}" for n in range(1, 101)}  # each handled (the key is unique: once)
    replies = Counter(sent.chat_id for sent in api.sent)
    assert set(replies) == set(users), f"{100 - len(replies)} users were left unanswered"
    # Replies committed and not yet sent at the kill were journalled and sent at the restart;
    # only those the fake had received while still journalled (in flight) come twice.
    assert repeats(replies) <= len(in_flight), f"{repeats(replies)} repeats, {len(in_flight)} in flight"
    print(
        f"\nkill -9 after {first_run} replies; {len(left)} journalled replies sent at the restart, "
        f"{repeats(replies)} of them twice ({len(in_flight)} sends in flight)"
    )


async def test_kill_9_at_the_first_reply_of_a_burst_leaves_no_one_unanswered(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    """30 members write at once; the bot dies the moment the first reply reaches Telegram."""
    api = server.api
    members = range(2000, 2030)
    for member in members:
        api.user(member, f"Member {member}")
    bot = Copbot(tmp_path, server)
    await bot.start()
    await until(lambda: any(m == "getUpdates" for m, _ in api.calls), "the first getUpdates", bot)
    killed = asyncio.Event()

    def kill_at_the_first_reply(sent: Sent) -> None:
        if not killed.is_set():
            bot.kill()  # within the fake's handling of the send: it arrived, the bot never hears so
            killed.set()

    api.on_send = kill_at_the_first_reply
    for member in members:
        api.say(member, "/help")
    await asyncio.wait_for(killed.wait(), 30)
    await bot.process.wait()  # type: ignore[union-attr]
    await api.settled()  # the sends made just before the kill still reach Telegram
    api.on_send = None
    first_run = Counter(sent.chat_id for sent in api.sent)
    left = journalled(bot.db)
    in_flight = left & set(first_run)

    again = Copbot(tmp_path, server)
    await again.start()
    try:
        await until(
            lambda: api.pending == 0 and {sent.chat_id for sent in api.sent} >= set(members),
            "every answer",
            again,
        )
        await asyncio.sleep(0.5)  # a repeat, if any, would come now
    finally:
        log = await again.stop()
    assert "Traceback" not in log
    replies = Counter(sent.chat_id for sent in api.sent)
    assert set(replies) == set(members), f"unanswered: {sorted(set(members) - set(replies))}"
    assert repeats(replies) <= sum(first_run.values()), "a reply never sent before the kill came twice"
    assert repeats(replies) <= len(in_flight)
    print(
        f"\nkill -9 at the first reply: {sum(first_run.values())} sent before, {len(left)} journalled, "
        f"{repeats(replies)} answered twice"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_rejects_a_wrong_secret_and_survives_kill_9(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    """Telegram (the pusher) POSTs 100 updates; the bot is killed among them and restarted."""
    import aiohttp

    api = server.api
    port = free_port()
    users = range(1000, 1100)
    for user in users:
        api.user(user, f"User {user}")
        api.say(user, "/help")
    api.latency = 0.01
    hook = {
        "COPBOT_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "COPBOT_TELEGRAM__WEBHOOK_SECRET": "s3cret-token",
        "COPBOT_TELEGRAM__WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    bot = Copbot(tmp_path, server)
    bot.env |= hook
    await bot.start()
    await until(lambda: api.webhook is not None, "setWebhook", bot)
    assert api.webhook is not None
    assert api.webhook["secret_token"] == "s3cret-token"
    async with aiohttp.ClientSession() as http:
        update = {"update_id": 999_999, "message": api.updates[0]["message"]}
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with http.post(api.webhook["url"], json=update, headers=headers) as response:
                assert response.status == 403
    pusher = WebhookPusher(api)
    pusher.start()
    try:
        await until(lambda: len(api.sent) >= 15, "some replies", bot, patience=30)
        bot.kill()
        await bot.process.wait()  # type: ignore[union-attr]
        await api.settled()  # the sends made just before the kill still reach Telegram
        assert api.pending > 0, "every update was acknowledged before the kill"
        # Only handled updates were acknowledged (answered 200).
        assert claimed(bot.db) >= {f"update:{n}" for n in range(1, 101)} - {
            f"update:{u['update_id']}" for u in api.updates
        }
        in_flight = journalled(bot.db) & {sent.chat_id for sent in api.sent}
        again = Copbot(tmp_path, server)
        again.env |= hook
        await again.start()
        try:
            await until(lambda: api.pending == 0, "every update acknowledged", again, patience=60)
        finally:
            log = await again.stop()
    finally:
        await pusher.stop()
    assert "Traceback" not in log
    assert claimed(bot.db) == {f"update:{n}" for n in range(1, 101)}
    replies = Counter(sent.chat_id for sent in api.sent)
    assert set(replies) == set(users), f"{100 - len(replies)} users were left unanswered"
    assert repeats(replies) <= len(in_flight), f"{repeats(replies)} repeats, {len(in_flight)} in flight"
