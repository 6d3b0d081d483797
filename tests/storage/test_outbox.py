from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.text import Text, bold, link
from bot.core.types import Button, ChatRef, OutgoingMessage, UserRef
from storage.db import Database
from storage.messages import decode
from storage.outbox import FAILED, SENT, UNREACHABLE, Outbox

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


def dm(user: str, text: str = "hello") -> OutgoingMessage:
    return OutgoingMessage(UserRef("telegram", user), Text.of(text))


async def test_rows_round_trip_the_message(db: Database) -> None:
    message = OutgoingMessage(
        ChatRef("telegram", "-100", "7"),
        Text.of("Prompt: ", bold("week 1"), " ", link("read", "https://example.org")),
        buttons=((Button("Reply", "d:reply:1"),),),
        reply_to="12",
    )
    async with db.transaction() as session:
        outbox = Outbox(session)
        assert len(await outbox.enqueue([message], NOW)) == 1
        (row,) = await outbox.due(NOW, 10)
    restored = decode(row)
    assert restored.to == message.to
    assert restored.text == message.text
    assert restored.buttons == message.buttons
    assert restored.reply_to == "12"
    assert restored.idempotency_key == row.idempotency_key
    assert len(row.idempotency_key) == 32


async def test_due_rows_come_oldest_first_without_those_in_flight(db: Database) -> None:
    async with db.transaction() as session:
        outbox = Outbox(session)
        await outbox.enqueue([dm(str(n)) for n in range(5)], NOW)
        rows = await outbox.due(NOW, 10)
        assert [r.recipient_id for r in rows] == ["0", "1", "2", "3", "4"]
        assert [r.recipient_id for r in await outbox.due(NOW, 2, exclude={rows[0].id})] == ["1", "2"]
        await outbox.defer([rows[1].id], NOW + timedelta(seconds=5))
        assert [r.recipient_id for r in await outbox.due(NOW, 10)] == ["0", "2", "3", "4"]
        assert await outbox.pending() == 5


async def test_progress_and_unreachable_recipients_are_skipped_next_time(db: Database) -> None:
    async with db.transaction() as session:
        outbox = Outbox(session)
        broadcast = await outbox.start_broadcast("announcement", NOW, created_by="console:mod", locale="fr")
        await outbox.enqueue([dm("a"), dm("b"), dm("c"), dm("d")], NOW, broadcast=broadcast)
        a, b, c, _d = await outbox.due(NOW, 10)
        await outbox.mark_sent(a.id, NOW, "m1")
        await outbox.mark_unreachable(b.id, NOW, "Forbidden: bot was blocked by the user")
        await outbox.mark_failed(c.id, "Bad Request: chat not found")
        progress = await outbox.progress(broadcast.id)
        assert (progress.total, progress.sent, progress.unreachable, progress.failed) == (4, 1, 1, 1)
        assert progress.pending == 1
        assert not progress.done
        again = await outbox.start_broadcast("announcement", NOW)
        await outbox.enqueue([dm("a"), dm("b")], NOW, broadcast=again)
        assert (await outbox.progress(again.id)).unreachable == 1
        assert broadcast.total == 4
        assert again.total == 2
        await outbox.mark_reachable("telegram", "b")
        await outbox.enqueue([dm("b")], NOW)
        statuses = sorted(r.status for r in await outbox.due(NOW, 10))
        assert statuses == ["pending", "pending", "pending"]  # d, a (again), b (reachable again)
    assert {SENT, UNREACHABLE, FAILED} == {"sent", "unreachable", "failed"}


async def test_retries_count_attempts(db: Database) -> None:
    async with db.transaction() as session:
        outbox = Outbox(session)
        await outbox.enqueue([dm("a")], NOW)
        (row,) = await outbox.due(NOW, 1)
        assert await outbox.retry_at(row.id, NOW + timedelta(seconds=2), "timeout") == 1
        assert await outbox.retry_at(row.id, NOW + timedelta(seconds=4), "429", count_attempt=False) == 1
        assert await outbox.attempts(row.id) == 1
        assert await outbox.due(NOW, 1) == []
        assert len(await outbox.due(NOW + timedelta(seconds=4), 1)) == 1
