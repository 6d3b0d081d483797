"""Updates read straight from the Bot API's JSON become the same core events PTB's objects did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Update

from bot.core.types import IncomingMessage, JoinRequest, MediaKind, ReachabilityChanged
from bot.platforms.telegram.updates import event_of

ADA = {
    "id": 7,
    "is_bot": False,
    "first_name": "Ada",
    "last_name": "L",
    "username": "ada",
    "language_code": "es",
}
PRIVATE = {"id": 7, "type": "private", "first_name": "Ada"}
FORUM = {"id": -1001, "type": "supergroup", "title": "C", "is_forum": True}
WHEN = 1_700_000_000


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": WHEN, "chat": PRIVATE, "from": ADA, **fields}


def test_a_private_message() -> None:
    event = event_of({"update_id": 1, "message": message(text="hi")})
    assert event == IncomingMessage(
        event_id="update:1",
        sender=event.sender,
        chat=event.chat,
        is_direct=True,
        received_at=datetime.fromtimestamp(WHEN, UTC),
        text="hi",
        message_id="5",
    )
    assert (event.sender.id, event.sender.display_name, event.sender.language) == ("7", "Ada L", "es")
    assert (event.chat.id, event.chat.thread_id) == ("7", None)


def test_a_reply_in_a_forum_topic_and_its_edit() -> None:
    body = message(
        chat=FORUM,
        text="x",
        is_topic_message=True,
        message_thread_id=9,
        reply_to_message=message(message_id=4, chat=FORUM, text="before"),
    )
    event = event_of({"update_id": 2, "message": body})
    assert isinstance(event, IncomingMessage)
    assert (event.chat.id, event.chat.thread_id, event.is_direct, event.reply_to) == (
        "-1001",
        "9",
        False,
        "4",
    )
    edited = event_of({"update_id": 3, "edited_message": body | {"edit_date": WHEN + 60}})
    assert isinstance(edited, IncomingMessage)
    assert edited.edited
    assert edited.received_at == datetime.fromtimestamp(WHEN + 60, UTC)
    opening = {
        "message_id": 9,
        "date": WHEN,
        "chat": FORUM,
        "forum_topic_created": {"name": "t", "icon_color": 1},
    }
    in_topic = event_of({"update_id": 4, "message": body | {"reply_to_message": opening}})
    assert isinstance(in_topic, IncomingMessage)
    assert in_topic.reply_to is None


def test_files_bots_and_unknown_kinds() -> None:
    photo = event_of(
        {
            "update_id": 5,
            "message": message(
                photo=[
                    {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1},
                    {"file_id": "L", "file_unique_id": "l", "width": 9, "height": 9, "file_size": 99},
                ],
                caption="c",
            ),
        }
    )
    assert isinstance(photo, IncomingMessage)
    assert photo.text == "c"
    assert photo.media is not None
    assert (photo.media.kind, photo.media.ref, photo.media.size) == (
        MediaKind.PHOTO,
        "L",
        99,
    )
    assert (
        event_of({"update_id": 6, "message": message(**{"from": ADA | {"is_bot": True}}, text="x")}) is None
    )
    assert event_of({"update_id": 7, "channel_post": message(text="x")}) is None


def test_button_presses_on_shown_old_and_inline_messages() -> None:
    shown = {
        "id": "q",
        "from": ADA,
        "chat_instance": "i",
        "data": "go",
        "message": message(chat=FORUM, is_topic_message=True, message_thread_id=9),
    }
    event = event_of({"update_id": 8, "callback_query": shown})
    assert isinstance(event, IncomingMessage)
    assert (event.button, event.chat.thread_id, event.message_id, event.is_direct) == ("go", "9", "5", False)
    old = shown | {"message": {"message_id": 5, "date": 0, "chat": PRIVATE}, "data": None}
    event = event_of({"update_id": 9, "callback_query": old})
    assert isinstance(event, IncomingMessage)
    assert (event.button, event.is_direct) == ("expired", True)
    inline = {"id": "q", "from": ADA, "chat_instance": "i", "data": "go", "inline_message_id": "m"}
    event = event_of({"update_id": 10, "callback_query": inline})
    assert isinstance(event, IncomingMessage)
    assert (event.chat.id, event.message_id) == ("7", None)


def test_blocking_and_join_requests() -> None:
    member = {"status": "kicked", "user": {"id": 1, "is_bot": True, "first_name": "bot"}, "until_date": 0}
    changed = {
        "chat": PRIVATE,
        "from": ADA,
        "date": WHEN,
        "old_chat_member": member | {"status": "member"},
        "new_chat_member": member,
    }
    event = event_of({"update_id": 11, "my_chat_member": changed})
    assert isinstance(event, ReachabilityChanged)
    assert not event.reachable
    request = {"chat": FORUM, "from": ADA, "user_chat_id": 7, "date": WHEN, "bio": "trainer"}
    event = event_of({"update_id": 12, "chat_join_request": request}, community_chat_id=-1001)
    assert isinstance(event, JoinRequest)
    assert (event.reason, event.chat.id) == ("trainer", "-1001")
    assert event_of({"update_id": 13, "chat_join_request": request}, community_chat_id=-5) is None


def test_ptb_updates_are_read_the_same_way() -> None:
    body = {
        "update_id": 14,
        "message": message(text="hi", chat=FORUM, is_topic_message=True, message_thread_id=9),
    }
    assert event_of(Update.de_json(body, None)) == event_of(body)
