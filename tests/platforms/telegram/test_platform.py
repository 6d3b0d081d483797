"""The Telegram adapter through python-telegram-bot's own request layer, answered in process.

A real :class:`CopBot` (router, forms, storage on each backend) runs on a real
:class:`TelegramPlatform`; only the HTTP seam is fake (:class:`FakeRequest` over
:class:`FakeTelegram`), so every Bot API call is encoded, sent, decoded and checked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from telegram.error import BadRequest

from bot.app import CopBot
from bot.catalogs import available_locales
from bot.config import Settings
from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable
from bot.core.text import Text, bold, code, link
from bot.core.types import Attachment, Button, ChatRef, MessageRef, OutgoingMessage, UserRef
from bot.platforms.telegram.platform import TelegramPlatform
from bot.platforms.telegram.settings import TelegramSettings
from bot.platforms.telegram.updates import UpdateLedger
from handlers.application.common import DEEP_LINK
from storage.db import Database
from storage.models import UnreachableRecipient
from tests.fakes import FakeClock
from tests.platforms.telegram.fake import BOT_USERNAME, TOKEN, FakeRequest, FakeTelegram, parse_html

#: The languages besides English that have a catalog: each gets its own command menu.
TRANSLATED = available_locales()[1:]

ADMIN, ALICE, BOB, CAROL = 1, 2, 3, 4


@dataclass
class Running:
    fake: FakeTelegram
    platform: TelegramPlatform
    bot: CopBot

    async def settle(self, update_id: int, patience: float = 5.0) -> None:
        """Wait until update ``update_id`` is handled and its replies are sent."""
        deadline = time.monotonic() + patience
        ledger = self.platform.ledger
        while update_id in ledger.in_flight or (ledger.offset or 0) <= update_id:
            assert time.monotonic() < deadline, f"update {update_id} was not handled"
            await asyncio.sleep(0.001)
        await self.bot.drain()
        await asyncio.sleep(0)  # callback answers run beside the handling

    async def exchange(self, update_id: int) -> None:
        await self.settle(update_id)


def telegram_settings(fake: FakeTelegram, **extra: object) -> TelegramSettings:
    return TelegramSettings(
        token=TOKEN,  # type: ignore[arg-type]
        api_url="http://fake.invalid/bot",
        community_chat_id=fake.community_id,
        moderator_chat_id=fake.moderators_id,
        **extra,  # type: ignore[arg-type]
    )


async def start(db: Database, tmp_path: Path, fake: FakeTelegram, **extra: object) -> Running:
    settings = Settings(
        database_url=str(db.url.render_as_string(hide_password=False)),
        admins=(f"telegram:{ADMIN}",),
        sample_data=False,
        files_dir=tmp_path / "files",
    )
    platform = TelegramPlatform(telegram_settings(fake, **extra), settings, request=FakeRequest(fake))
    platform.poll_timeout = 1
    bot = CopBot(settings, [platform], clock=FakeClock(), db=db)
    await bot.start(migrate=False)
    return Running(fake, platform, bot)


@pytest.fixture
def fake() -> FakeTelegram:
    api = FakeTelegram()
    api.user(ADMIN, "Admin")
    api.user(ALICE, "Alice", "es")
    api.user(BOB, "Bob <b>&</b>")
    api.user(CAROL, "Carol")
    return api


@pytest.fixture
async def tg(db: Database, tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[Running]:
    running = await start(db, tmp_path, fake)
    yield running
    await running.bot.stop()
    assert fake.unknown == [], f"the adapter called methods the Bot API lacks: {fake.unknown}"


async def test_the_command_menus_are_set_in_every_language(tg: Running) -> None:
    menus = {
        (scope, chat, language): [command["command"] for command in commands]
        for (scope, chat, language), commands in tg.fake.command_menus.items()
    }
    moderators = tg.fake.moderators_id
    assert set(menus) == {
        *(("all_private_chats", None, language) for language in ("", *TRANSLATED)),
        *(("chat", moderators, language) for language in ("", *TRANSLATED)),
    }
    private, group = menus[("all_private_chats", None, "")], menus[("chat", moderators, "")]
    assert {"start", "help", "apply", "wiki", "reply"} <= set(private)
    assert "approve" in group  # the moderators' commands, in their group only
    assert "approve" not in private
    assert not {"promote", "demote"} & {*private, *group}  # admins type theirs
    assert {"back", "skip", "cancel"}.isdisjoint(private)  # form controls are not listed
    # the moderators' chat is a group: as /help there, its menu leaves out direct-chat commands
    assert {"wiki", "help", "reply", "members", "audit"} <= set(group)
    assert {"start", "apply", "language", "mydata", "forget", "wiki_add"}.isdisjoint(group)
    spanish = {
        c["command"]: c["description"] for c in tg.fake.command_menus[("all_private_chats", None, "es")]
    }
    [wiki] = [route for route in tg.bot.router.commands() if route.name == "wiki"]
    assert wiki.description is not None
    assert spanish["wiki"] == tg.bot.catalogs.translator("es").gettext(wiki.description)
    assert spanish["wiki"] != wiki.description


# -- receiving ----------------------------------------------------------------------------


async def test_start_in_a_private_chat_answers_in_html_with_buttons(tg: Running) -> None:
    assert tg.platform.bot_username == BOT_USERNAME
    await tg.exchange(tg.fake.say(ALICE, "/start"))
    [welcome] = tg.fake.to(ALICE)
    assert welcome.text.startswith("¡Te damos la bienvenida, Alice!")  # her client's language
    assert "lang:en" in welcome.payloads
    assert tg.fake.webhook is None


async def test_user_content_is_escaped(tg: Running) -> None:
    await tg.exchange(tg.fake.say(BOB, "/start"))
    [welcome] = tg.fake.to(BOB)
    assert "Bob <b>&</b>" in welcome.text  # shown as typed: the fake parsed the HTML
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in welcome.html


async def test_commands_addressed_to_another_bot_are_ignored_in_groups(tg: Running) -> None:
    group = tg.fake.community_id
    await tg.exchange(tg.fake.say(ALICE, f"/help@{BOT_USERNAME}", chat_id=group))
    assert len(tg.fake.to(group)) == 1
    await tg.exchange(tg.fake.say(ALICE, "/help@some_other_bot", chat_id=group))
    assert len(tg.fake.to(group)) == 1


async def test_every_button_press_is_answered_also_a_stale_one(tg: Running) -> None:
    await tg.exchange(tg.fake.say(ALICE, "/language"))
    [menu] = tg.fake.to(ALICE)
    await tg.exchange(tg.fake.press(ALICE, menu, "lang:fr"))
    await tg.exchange(tg.fake.press(ALICE, menu, "no-such-button:1"))
    assert tg.fake.answered == ["1", "2"]
    replies = tg.fake.texts(ALICE)
    assert "français" in replies[1].lower()
    assert len(replies) == 3  # the stale press was answered with a hint too


async def test_an_update_delivered_twice_is_handled_once(tg: Running) -> None:
    first = tg.fake.say(ALICE, "/help")
    tg.fake.updates.append(dict(tg.fake.updates[-1]))  # Telegram sends it again
    await tg.exchange(first)
    await asyncio.sleep(0.05)
    await tg.bot.drain()
    assert len(tg.fake.to(ALICE)) == 1


async def test_updates_handled_but_not_confirmed_are_not_handled_again_after_a_restart(
    db: Database, tmp_path: Path, fake: FakeTelegram
) -> None:
    running = await start(db, tmp_path, fake)
    ids = [fake.say(ALICE, "/help"), fake.say(BOB, "/help")]
    pending = list(fake.updates)
    for update_id in ids:
        await running.settle(update_id)
    await running.bot.stop()
    fake.updates = pending  # as if the process died before confirming the offset
    again = await start(db, tmp_path, fake)
    try:
        fake.say(ALICE, "/help")  # a new one, behind the old two
        await again.settle(ids[-1] + 1)
    finally:
        await again.bot.stop()
    assert len(fake.to(ALICE)) == 2
    assert len(fake.to(BOB)) == 1


def spy_on_events(tg: Running) -> list[object]:
    """The core events the adapter hands to the bot from now on (they are still handled)."""
    seen: list[object] = []
    original = tg.platform._sink
    assert original is not None

    async def spy(event: object) -> object:
        seen.append(event)
        return await original(event)  # type: ignore[arg-type]

    tg.platform._sink = spy  # type: ignore[assignment]
    return seen


async def test_an_edited_message_reaches_the_bot_as_an_edit(tg: Running) -> None:
    seen = spy_on_events(tg)
    await tg.exchange(tg.fake.edit(ALICE, 555, "corrected", chat_id=tg.fake.community_id))
    [event] = seen
    assert getattr(event, "edited", None) is True
    assert getattr(event, "message_id", None) == "555"


async def test_a_forum_topic_message_carries_its_thread(tg: Running) -> None:
    opening = await tg.platform.create_thread(
        tg.platform.community_chat,  # type: ignore[arg-type]
        "What is gender budgeting?",
        OutgoingMessage(ChatRef("telegram", "x"), Text.of("Share your experience")),
    )
    thread = int(opening.chat.thread_id or 0)
    assert tg.fake.topics[tg.fake.community_id][thread]["name"] == "What is gender budgeting?"
    seen = spy_on_events(tg)
    await tg.exchange(tg.fake.say(ALICE, "In my region...", chat_id=tg.fake.community_id, thread_id=thread))
    [event] = seen
    assert getattr(event, "chat", None) == ChatRef("telegram", str(tg.fake.community_id), str(thread))
    assert getattr(event, "reply_to", "x") is None  # the topic's root is no reply
    await tg.platform.close_thread(opening.chat)
    assert tg.fake.topics[tg.fake.community_id][thread]["closed"]


# -- join requests and membership ---------------------------------------------------------


async def test_a_join_request_opens_the_form_in_private(tg: Running) -> None:
    await tg.exchange(tg.fake.request_join(ALICE))
    texts = tg.fake.texts(ALICE)
    assert len(texts) >= 2, texts
    assert tg.fake.to(tg.fake.community_id) == []  # nothing is posted in the community


async def test_admit_approves_a_pending_join_request(tg: Running) -> None:
    tg.fake.join_requests.add((tg.fake.community_id, ALICE))
    await tg.platform.admit_user(UserRef("telegram", str(ALICE)))
    assert ALICE in tg.fake.members[tg.fake.community_id]
    assert tg.fake.invite_links == []


async def test_admit_without_a_join_request_sends_a_single_use_invite_link(tg: Running) -> None:
    await tg.platform.admit_user(UserRef("telegram", str(BOB), language="fr"))
    [invite] = tg.fake.invite_links
    assert invite["member_limit"] == 1
    assert invite["expire_date"] > time.time()
    [message] = tg.fake.to(BOB)
    assert invite["invite_link"] in message.text


async def test_remove_bans_then_unbans(tg: Running) -> None:
    tg.fake.members[tg.fake.community_id].add(BOB)
    await tg.platform.remove_user(UserRef("telegram", str(BOB)))
    assert BOB not in tg.fake.members[tg.fake.community_id]
    assert (tg.fake.community_id, BOB) not in tg.fake.banned
    methods = [method for method, _ in tg.fake.calls]
    assert methods.index("banChatMember") < methods.index("unbanChatMember")


async def test_ban_keeps_the_member_out_until_admitted_again(tg: Running) -> None:
    tg.fake.members[tg.fake.community_id].add(BOB)
    await tg.platform.ban_user(UserRef("telegram", str(BOB)))
    assert BOB not in tg.fake.members[tg.fake.community_id]
    assert (tg.fake.community_id, BOB) in tg.fake.banned
    await tg.platform.admit_user(UserRef("telegram", str(BOB)))  # approved again: no join request
    assert (tg.fake.community_id, BOB) not in tg.fake.banned
    [invite] = tg.fake.invite_links
    assert invite["member_limit"] == 1


# -- sending ------------------------------------------------------------------------------


async def test_a_long_message_is_split_between_words_and_keeps_its_entities(tg: Running) -> None:
    words = Text.of(*(part for n in range(2000) for part in (bold(f"w{n}<&>"), " ")))
    buttons = ((Button("More", "wiki:p:2"),),)
    ref = await tg.platform.send(OutgoingMessage(UserRef("telegram", str(ALICE)), words, buttons))
    pieces = tg.fake.to(ALICE)
    assert len(pieces) >= 3
    assert all(len(piece.text) <= 4096 for piece in pieces)
    assert " ".join(piece.text for piece in pieces) == str(words).strip()
    assert [bool(piece.buttons) for piece in pieces] == [False] * (len(pieces) - 1) + [True]
    assert ref.id == str(pieces[-1].message_id)


async def test_documents_and_photos(tg: Running) -> None:
    chat = ChatRef("telegram", str(tg.fake.moderators_id))
    await tg.platform.send(
        OutgoingMessage(
            chat,
            Text.of("Export"),
            attachments=(
                Attachment("dialogue.csv", b"a,b\n", "text/csv"),
                Attachment("chart.png", b"\x89PNG", "image/png"),
            ),
        )
    )
    kinds = [(sent.kind, sent.filename, sent.data) for sent in tg.fake.to(tg.fake.moderators_id)]
    assert kinds == [
        ("text", None, b""),
        ("document", "dialogue.csv", b"a,b\n"),
        ("photo", "chart.png", b"\x89PNG"),
    ]


async def test_edit_and_delete(tg: Running) -> None:
    chat = ChatRef("telegram", str(ALICE))
    ref = await tg.platform.send(OutgoingMessage(chat, Text.of("1 / 10 delivered")))
    await tg.platform.edit(ref, OutgoingMessage(chat, Text.of("2 / 10 delivered")))
    await tg.platform.edit(ref, OutgoingMessage(chat, Text.of("2 / 10 delivered")))  # unchanged: fine
    assert tg.fake.texts(ALICE) == ["2 / 10 delivered"]
    await tg.platform.delete_message(ref)
    assert tg.fake.to(ALICE) == []


async def test_platform_errors_become_core_errors(tg: Running) -> None:
    to_bob = OutgoingMessage(UserRef("telegram", str(BOB)), Text.of("hi"))
    tg.fake.blocked.add(BOB)
    with pytest.raises(RecipientUnreachable):
        await tg.platform.send(to_bob)
    with pytest.raises(RecipientUnreachable):  # never talked to the bot: chat not found
        await tg.platform.send(OutgoingMessage(UserRef("telegram", "424242"), Text.of("hi")))
    tg.fake.throttle(ALICE, 7)
    with pytest.raises(RateLimited) as limited:
        await tg.platform.send(OutgoingMessage(UserRef("telegram", str(ALICE)), Text.of("hi")))
    assert limited.value.retry_after == 7
    with pytest.raises(PlatformError):
        await tg.platform.delete_message(MessageRef(ChatRef("telegram", str(ALICE)), "1"))


async def test_a_rate_limited_reply_waits_only_for_its_own_chat(tg: Running) -> None:
    tg.fake.throttle(ALICE, 0.3)  # PTB accepts fractions, Telegram sends whole seconds
    started = time.monotonic()
    first = tg.fake.say(ALICE, "/help")
    tg.fake.say(BOB, "/help")
    while not tg.fake.to(BOB):
        assert time.monotonic() - started < 5
        await asyncio.sleep(0.001)
    bob_at = time.monotonic() - started
    await tg.settle(first)
    alice_at = time.monotonic() - started
    assert len(tg.fake.to(ALICE)) == 1
    assert len(tg.fake.to(BOB)) == 1
    assert bob_at < 0.25 <= alice_at


async def test_links_and_code_render_as_telegram_html(tg: Running) -> None:
    text = Text.of(link("a & b", "https://example.org/?a=1&b=2"), " ", code("<tag>"))
    await tg.platform.send(OutgoingMessage(UserRef("telegram", str(ALICE)), text))
    [sent] = tg.fake.to(ALICE)
    assert sent.html == '<a href="https://example.org/?a=1&amp;b=2">a &amp; b</a> <code>&lt;tag&gt;</code>'


# -- the fake answers like Telegram --------------------------------------------------------


@pytest.mark.parametrize("source", ["<b>bold", "a < b", "fish & chips", "<script>x</script>", "</i>"])
def test_the_fake_refuses_html_telegram_refuses(source: str) -> None:
    _, error = parse_html(source)
    assert error is not None


async def test_the_fake_answers_400_for_bad_html_and_404_for_unknown_methods(fake: FakeTelegram) -> None:
    from telegram import Bot

    bot = Bot(TOKEN, base_url="http://fake.invalid/bot", request=FakeRequest(fake))
    await bot.initialize()
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(ALICE, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(Exception, match=r"(?i)not found"):
        await bot.do_api_request("sendTelepathy", {"chat_id": ALICE})
    assert fake.unknown == ["sendTelepathy"]
    await bot.shutdown()


# -- offsets ------------------------------------------------------------------------------


def test_the_offset_never_passes_an_update_in_flight() -> None:
    ledger = UpdateLedger()
    assert ledger.offset is None
    assert ledger.accept(10)
    assert ledger.accept(11)
    assert ledger.accept(12)
    ledger.done(11)
    ledger.done(12)
    assert ledger.offset == 10  # 10 is still being handled: 10, 11, 12 stay unconfirmed
    assert not ledger.accept(11)
    assert not ledger.accept(10)
    ledger.done(10)
    assert ledger.offset == 13
    assert not ledger.accept(12)
    assert ledger.accept(13)
    ledger.forget(13)  # the bot stopped before handling it
    assert ledger.offset == 13
    assert ledger.accept(13)


def test_an_update_lower_than_one_in_flight_is_new_until_the_offset_passed_it() -> None:
    ledger = UpdateLedger()
    ledger.asked(ledger.offset)
    assert ledger.accept(105)
    assert ledger.accept(101)  # one batch, out of order: 101 was never seen
    ledger.done(105)
    ledger.done(101)
    assert ledger.offset == 106
    ledger.asked(ledger.offset)
    assert not ledger.accept(103)  # below the offset Telegram was sent: confirmed
    assert not ledger.accept(105)
    assert ledger.accept(106)


# -- webhook ------------------------------------------------------------------------------


async def test_webhook_needs_the_secret_and_answers_after_handling(
    db: Database, tmp_path: Path, fake: FakeTelegram, unused_tcp_port: int
) -> None:
    running = await start(
        db,
        tmp_path,
        fake,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="s3cret",
        webhook_listen=f"127.0.0.1:{unused_tcp_port}",
    )
    assert fake.webhook is not None
    assert fake.webhook["secret_token"] == "s3cret"
    assert "chat_join_request" in fake.webhook["allowed_updates"]
    fake.say(ALICE, "/help")
    update = fake.updates.pop()
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as response:
                assert response.status == 403
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as response:
                assert response.status == 403
            assert fake.to(ALICE) == []
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
                assert len(fake.to(ALICE)) == 1  # answered only once handled
            async with http.post(url, json=update, headers=headers) as response:  # redelivered
                assert response.status == 200
            await running.bot.drain()
            assert len(fake.to(ALICE)) == 1
    finally:
        await running.bot.stop()


async def test_the_apply_deep_link_opens_the_form(tg: Running) -> None:
    await tg.exchange(tg.fake.say(BOB, "/start apply"))
    texts = tg.fake.texts(BOB)
    assert any("application form" in text for text in texts), texts
    assert tg.platform.deep_link(DEEP_LINK) == f"https://t.me/{BOT_USERNAME}?start=apply"


async def test_blocking_and_unblocking_the_bot_is_recorded_for_broadcasts(tg: Running) -> None:
    async def unreachable() -> set[str]:
        async with tg.bot.db.transaction() as session:
            rows = await session.scalars(select(UnreachableRecipient.recipient_id))
            return set(rows)

    await tg.exchange(tg.fake.block(BOB))
    assert await unreachable() == {str(BOB)}
    await tg.exchange(tg.fake.unblock(BOB))
    assert await unreachable() == set()


async def test_an_update_that_cannot_be_read_is_skipped_not_retried_forever(tg: Running) -> None:
    broken = tg.fake.push(my_chat_member={"chat": {"id": ALICE, "type": "private"}})  # fields missing
    await tg.exchange(tg.fake.say(ALICE, "/help"))
    assert tg.platform.ledger.offset is not None
    assert tg.platform.ledger.offset > broken
    assert len(tg.fake.to(ALICE)) == 1


@pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")  # the fallback is meant
async def test_a_batch_python_telegram_bot_cannot_read_is_read_update_by_update(tg: Running) -> None:
    broken = tg.fake.push(message={"message_id": 1, "chat": "not a chat"})
    await tg.exchange(tg.fake.say(ALICE, "/help"))
    assert tg.platform.ledger.offset is not None
    assert tg.platform.ledger.offset > broken
    assert len(tg.fake.to(ALICE)) == 1


async def test_a_requester_the_bot_cannot_write_to_is_logged_with_the_deep_link(
    tg: Running, caplog: pytest.LogCaptureFixture
) -> None:
    tg.fake.blocked.add(CAROL)
    await tg.exchange(tg.fake.request_join(CAROL))
    assert tg.fake.to(CAROL) == []
    assert f"cannot write to {CAROL}, who asked to join" in caplog.text
    assert f"through https://t.me/{BOT_USERNAME}\n" in caplog.text


@given(st.lists(st.tuples(st.sampled_from(["deliver", "finish", "drop"]), st.integers(1, 30)), max_size=200))
def test_the_ledger_never_confirms_an_unhandled_update_nor_takes_one_twice(
    steps: list[tuple[str, int]],
) -> None:
    ledger = UpdateLedger()
    handled: set[int] = set()
    taken: set[int] = set()
    dropped: set[int] = set()
    for action, update_id in steps:
        if action == "deliver":  # Telegram sends ids from the offset on
            if ledger.offset is not None and update_id < ledger.offset:
                continue
            if ledger.accept(update_id):
                assert update_id not in handled, f"{update_id} taken again after it was handled"
                taken.add(update_id)
                dropped.discard(update_id)
        elif update_id in ledger.in_flight:
            if action == "finish":
                ledger.done(update_id)
                handled.add(update_id)
            else:
                ledger.forget(update_id)
                taken.discard(update_id)
                dropped.add(update_id)
        offset = ledger.offset
        if offset is not None:
            confirmed = set(range(1, offset))
            assert confirmed & (taken - handled) == set(), "an update in flight was confirmed"
            assert confirmed & dropped == set(), "a dropped update was confirmed"
