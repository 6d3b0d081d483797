"""The privacy rule on Telegram: a moderator's command in a group is answered in private.

Driven through the real adapter and python-telegram-bot against the fake Bot API, so the
test sees the ``sendMessage`` calls themselves: which chat id each one went to.
"""

from __future__ import annotations

from tests.platforms.telegram.test_platform import ADMIN, CAROL, Running, fake, tg

__all__ = ["fake", "tg"]  # the fixtures, shared with the adapter's own tests

NOTE = "I answered you privately. If nothing arrived, open a private chat with me and send /start."


async def test_a_member_card_asked_for_in_the_community_goes_to_the_moderators_private_chat(
    tg: Running,
) -> None:
    await tg.exchange(tg.fake.say(CAROL, "/start"))  # the bot knows Carol now
    community = tg.fake.community_id
    await tg.exchange(tg.fake.say(ADMIN, f"/member telegram:{CAROL}", chat_id=community))
    assert tg.fake.texts(community) == [NOTE]
    [card] = tg.fake.texts(ADMIN)  # the admin's private chat: its id is theirs
    assert "Carol" in card
    assert f"telegram:{CAROL}" in card


async def test_in_the_moderators_group_the_card_is_answered_there(tg: Running) -> None:
    await tg.exchange(tg.fake.say(CAROL, "/start"))
    moderators = tg.fake.moderators_id
    await tg.exchange(tg.fake.say(ADMIN, f"/member telegram:{CAROL}", chat_id=moderators))
    [card] = tg.fake.texts(moderators)
    assert "Carol" in card
    assert tg.fake.texts(ADMIN) == []


async def test_the_buttons_of_a_private_answer_work_in_the_private_chat(tg: Running) -> None:
    for _ in range(2):  # two audited refusals: two pages of one entry
        await tg.exchange(tg.fake.say(CAROL, "/audit"))
    community = tg.fake.community_id
    await tg.exchange(tg.fake.say(ADMIN, "/audit 1", chat_id=community))
    assert tg.fake.texts(community) == [NOTE]
    [page] = tg.fake.to(ADMIN)
    await tg.exchange(tg.fake.press(ADMIN, page, tg.fake.button(page, "Older ▶")))
    assert tg.fake.texts(ADMIN)[-1].startswith("Audit log, entries 2-2 of 2")
    assert tg.fake.texts(community) == [NOTE]
