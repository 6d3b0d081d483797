"""Join requests outlive a restart: an admission afterwards approves the stored request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import CopBot
from bot.config import FloodSettings, Settings
from bot.core.types import UserRef
from bot.platforms.telegram.membership import REQUEST_KEPT
from bot.platforms.telegram.platform import TelegramPlatform
from storage.db import Database
from storage.join_requests import StoredJoinRequests
from storage.models import JoinRequestRow
from tests.fakes import FakeClock
from tests.handlers.application.test_application import ANSWERS
from tests.platforms.telegram.fake import FakeRequest, FakeTelegram
from tests.platforms.telegram.test_platform import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    Running,
    fake,
    start,
    telegram_settings,
)

__all__ = ["fake"]  # the fixture


async def unhurried(db: Database, tmp_path: Path, fake: FakeTelegram) -> Running:
    """The bot of :func:`start`, with flood control lifted: a form is answered in a burst."""
    settings = Settings(
        database_url=str(db.url.render_as_string(hide_password=False)),
        admins=(f"telegram:{ADMIN}",),
        sample_data=False,
        files_dir=tmp_path / "files",
        flood=FloodSettings(rate=1000, burst=1000),
    )
    platform = TelegramPlatform(telegram_settings(fake), settings, request=FakeRequest(fake))
    platform.poll_timeout = 1
    bot = CopBot(settings, [platform], clock=FakeClock(), db=db)
    await bot.start(migrate=False)
    return Running(fake, platform, bot)


async def kept(db: Database) -> dict[str, str]:
    async with db.transaction() as session:
        rows = await session.scalars(select(JoinRequestRow).where(JoinRequestRow.platform == "telegram"))
        return {row.user_id: row.chat_id for row in rows}


async def test_a_request_made_before_a_restart_is_approved_after_it(
    db: Database, tmp_path: Path, fake: FakeTelegram
) -> None:
    tg = await unhurried(db, tmp_path, fake)
    try:
        await tg.exchange(fake.request_join(CAROL))
        assert await kept(db) == {str(CAROL): str(fake.community_id)}
        for text in ANSWERS:
            await tg.exchange(fake.say(CAROL, text))
        summary = fake.to(CAROL)[-1]
        await tg.exchange(fake.press(CAROL, summary, fake.button(summary, "Submit")))
    finally:
        await tg.bot.stop()

    again = await unhurried(db, tmp_path, fake)  # a new process on the same database
    try:
        assert again.platform.membership.requesters == {str(CAROL): CAROL}, "the request was forgotten"
        [card] = fake.to(fake.moderators_id)
        await again.exchange(fake.press(ADMIN, card, fake.button(card, "Approve")))
        await again.bot.drain()
        assert CAROL in fake.members[fake.community_id]
        methods = [method for method, _ in fake.calls]
        assert "approveChatJoinRequest" in methods
        assert "createChatInviteLink" not in methods
        assert fake.invite_links == []
        assert await kept(db) == {}, "an approved request is no longer kept"
        assert again.platform.membership.requesters == {}
    finally:
        await again.bot.stop()
    assert fake.unknown == []


async def test_a_kept_request_telegram_no_longer_has_ends_in_an_invite_link_and_is_dropped(
    db: Database, tmp_path: Path, fake: FakeTelegram
) -> None:
    tg = await start(db, tmp_path, fake)
    try:
        await tg.exchange(fake.request_join(BOB))
        fake.join_requests.clear()  # withdrawn on Telegram's side meanwhile
        await tg.platform.admit_user(UserRef("telegram", str(BOB)))
        [invite] = fake.invite_links
        assert invite["member_limit"] == 1
        assert await kept(db) == {}
        assert str(BOB) not in tg.platform.membership.requesters
    finally:
        await tg.bot.stop()


async def test_requests_older_than_the_keeping_period_are_dropped_at_start(
    db: Database, tmp_path: Path, fake: FakeTelegram
) -> None:
    book = StoredJoinRequests(db, "telegram")
    now = datetime.now(UTC)
    await book.remember(str(ALICE), str(fake.community_id), str(ALICE), now - timedelta(hours=1))
    await book.remember(str(BOB), str(fake.community_id), str(BOB), now - REQUEST_KEPT - timedelta(days=1))
    await book.remember(str(BOB), "-5", str(BOB), now - REQUEST_KEPT - timedelta(days=2))  # replaces
    assert await kept(db) == {str(ALICE): str(fake.community_id), str(BOB): "-5"}
    tg = await start(db, tmp_path, fake)
    try:
        assert tg.platform.membership.requesters == {str(ALICE): ALICE}
        assert await kept(db) == {str(ALICE): str(fake.community_id)}
    finally:
        await tg.bot.stop()
