"""The dialogue archive on Telegram: a closed dialogue's prompts, numbered ``D.P``, and its
replies paged with inline buttons, through the real adapter and the fake Bot API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.types import Role, UserRef
from handlers.wiki.sample import seed_sample_wiki
from storage.dialogues.repository import DialogueRepository
from storage.users import ProfileCache, UserRepository
from tests.platforms.telegram.test_platform import BOB, CAROL, Running, fake, tg

__all__ = ["fake", "tg"]  # the fixtures, shared with the adapter's own tests

NOTE = "I answered you privately. If nothing arrived, open a private chat with me and send /start."


async def closed_dialogue(tg: Running, replies: int) -> None:
    """Carol, a member, wrote ``replies`` replies to prompt 1.1 of dialogue 1, now closed."""
    now = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
    async with tg.bot.db.transaction() as session:
        users = UserRepository(session)
        carol = (await users.resolve(UserRef("telegram", str(CAROL), "Carol"), now)).person_id
        await users.grant(carol, Role.MEMBER, now)
        repo = DialogueRepository(session)
        dialogue = await repo.create(
            title={"en": "Budgets"},
            start=date(2026, 9, 22),
            end=date(2026, 9, 30),
            timezone="UTC",
            now=now,
            status="closed",
        )
        prompt = await repo.add_prompt(
            dialogue.id, {"en": "Who decides the training budget where you work?"}, now
        )
        for number in range(1, replies + 1):
            await repo.save_reply(
                prompt_id=prompt.id,
                person_id=carol,
                platform="telegram",
                chat_id=str(tg.fake.community_id),
                message_id=str(1000 + number),
                text=f"Answer {number}",
                now=now + timedelta(minutes=number),
            )
    tg.bot.shared.get(ProfileCache).forget(carol)


async def test_a_closed_dialogue_pages_its_replies_with_buttons(tg: Running) -> None:
    await closed_dialogue(tg, replies=6)
    await tg.exchange(tg.fake.say(CAROL, "/dialogue 1"))
    [card] = tg.fake.to(CAROL)
    assert "Prompt 1.1: Who decides the training budget where you work? — replies: 6" in card.text
    assert card.payloads == ["archive:r:1:0", "archive:f:1:html", "archive:f:1:md"]
    await tg.exchange(tg.fake.press(CAROL, card, tg.fake.button(card, "Read replies")))
    first = tg.fake.to(CAROL)[-1]
    assert first.text.startswith("Replies to Budgets (1–5 of 6):\nPrompt 1.1: Who decides")
    assert "Carol (telegram, Sep 22, 2026, 9:01\u202fAM): Answer 1" in first.text
    assert "<b>Carol</b>" in first.html
    assert first.payloads == ["archive:r:1:5"]
    await tg.exchange(tg.fake.press(CAROL, first, tg.fake.button(first, "Next ▶")))
    second = tg.fake.to(CAROL)[-1]
    assert second.text.startswith("Replies to Budgets (6–6 of 6):")
    assert "Answer 6" in second.text
    assert "Answer 5" not in second.text
    assert second.payloads == ["archive:r:1:0"]
    assert len(tg.fake.answered) == 2  # each press was answered


async def test_a_document_asked_for_in_the_community_arrives_in_private(tg: Running) -> None:
    await closed_dialogue(tg, replies=2)
    community = tg.fake.community_id
    await tg.exchange(tg.fake.say(CAROL, "/dialogue 1", chat_id=community))
    [card] = tg.fake.to(community)
    await tg.exchange(tg.fake.press(CAROL, card, tg.fake.button(card, "Markdown")))
    assert tg.fake.texts(community)[-1] == NOTE
    document = [sent for sent in tg.fake.to(CAROL) if sent.kind == "document"]
    assert [sent.filename for sent in document] == ["dialogue-1.md"]
    markdown = document[0].data.decode("utf-8")
    assert "- **Carol** (telegram, " in markdown
    assert f"telegram:{CAROL}" not in markdown  # no user id


async def test_a_guest_who_never_applied_searches_the_wiki(tg: Running) -> None:
    await seed_sample_wiki(tg.bot.db, tg.bot.clock)
    await tg.exchange(tg.fake.say(BOB, "/wiki eige"))
    [found] = tg.fake.to(BOB)
    assert "European Institute for Gender Equality" in found.text
    assert "apply" not in found.text.lower()  # an answer, not a refusal
