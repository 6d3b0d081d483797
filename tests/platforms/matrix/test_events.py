"""Matrix event JSON to copbot events (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.types import ChatRef, IncomingMessage, JoinRequest, Media, MediaKind, MessageDeleted, UserRef
from bot.platforms.matrix.events import RoomView, reaction_choice, strip_reply_fallback, to_event

BOT = "@copbot:localhost"
ROOM = RoomView(
    "!room:localhost", BOT, is_direct=False, is_community=True, names={"@amina:localhost": "Amina"}
)


def message(
    content: dict[str, Any], sender: str = "@amina:localhost", event_id: str = "$e1"
) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "sender": sender,
        "event_id": event_id,
        "origin_server_ts": 1_700_000_000_000,
        "content": content,
    }


def test_a_text_message_becomes_an_incoming_message() -> None:
    event = to_event(message({"msgtype": "m.text", "body": "!wiki gender"}), ROOM)
    assert event == IncomingMessage(
        event_id="$e1",
        sender=UserRef("matrix", "@amina:localhost", "Amina"),
        chat=ChatRef("matrix", "!room:localhost"),
        received_at=datetime.fromtimestamp(1_700_000_000, UTC),
        text="!wiki gender",
        message_id="$e1",
    )


def test_notices_count_and_other_message_types_and_the_bots_own_do_not() -> None:
    assert to_event(message({"msgtype": "m.notice", "body": "hi"}), ROOM) is not None
    assert to_event(message({"msgtype": "m.location", "body": "here"}), ROOM) is None
    assert to_event(message({"msgtype": "m.text", "body": "hi"}, sender=BOT), ROOM) is None


def test_a_file_carries_its_kind_and_name_and_a_caption_only_when_it_has_one() -> None:
    photo = to_event(message({"msgtype": "m.image", "body": "x.png", "url": "mxc://h/x"}), ROOM)
    assert isinstance(photo, IncomingMessage)
    assert (photo.text, photo.media) == (None, Media(MediaKind.PHOTO, "x.png", "mxc://h/x"))
    captioned = {
        "msgtype": "m.file",
        "body": "Our budget",
        "filename": "budget.pdf",
        "url": "mxc://h/b",
        "info": {"size": 2048, "mimetype": "application/pdf"},
    }
    document = to_event(message(captioned), ROOM)
    assert isinstance(document, IncomingMessage)
    assert (document.text, document.media) == (
        "Our budget",
        Media(MediaKind.DOCUMENT, "budget.pdf", "mxc://h/b", 2048, "application/pdf"),
    )
    # an encrypted file (``file``, not ``url``) has no ref: it is relayed as a note
    sealed = {"msgtype": "m.image", "body": "y.png", "file": {"url": "mxc://h/y", "v": "v2"}}
    encrypted = to_event(message(sealed), ROOM)
    assert isinstance(encrypted, IncomingMessage)
    assert encrypted.media == Media(MediaKind.PHOTO, "y.png")
    edit = {
        "msgtype": "m.file",
        "body": "* Our 2027 budget",
        "m.new_content": captioned | {"body": "Our 2027 budget"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$e1"},
    }
    edited = to_event(message(edit, event_id="$e2"), ROOM)
    assert isinstance(edited, IncomingMessage)
    assert (edited.message_id, edited.edited, edited.text) == ("$e1", True, "Our 2027 budget")


def test_a_thread_message_names_its_root_and_a_fallback_is_no_reply() -> None:
    relates = {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$last"},
    }
    event = to_event(message({"msgtype": "m.text", "body": "my answer", "m.relates_to": relates}), ROOM)
    assert isinstance(event, IncomingMessage)
    assert event.chat == ChatRef("matrix", "!room:localhost", "$root")
    assert event.reply_to is None
    relates["is_falling_back"] = False
    event = to_event(message({"msgtype": "m.text", "body": "to you", "m.relates_to": relates}), ROOM)
    assert isinstance(event, IncomingMessage)
    assert event.reply_to == "$last"


def test_a_reply_loses_its_quoted_fallback() -> None:
    body = "> <@copbot:localhost> Prompt 1\n> second line\n\nMy reply\nline two"
    event = to_event(
        message({"msgtype": "m.text", "body": body, "m.relates_to": {"m.in_reply_to": {"event_id": "$p"}}}),
        ROOM,
    )
    assert isinstance(event, IncomingMessage)
    assert (event.text, event.reply_to) == ("My reply\nline two", "$p")
    assert strip_reply_fallback("> not a reply quote, no relation") == ""
    assert strip_reply_fallback("plain") == "plain"


def test_an_edit_carries_the_new_text_and_the_original_id() -> None:
    content = {
        "msgtype": "m.text",
        "body": "* fixed",
        "m.new_content": {"msgtype": "m.text", "body": "fixed"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$original"},
    }
    event = to_event(message(content, event_id="$edit"), ROOM)
    assert isinstance(event, IncomingMessage)
    assert (event.event_id, event.message_id, event.text, event.edited) == (
        "$edit",
        "$original",
        "fixed",
        True,
    )


def test_redactions_of_every_room_version_become_deletions() -> None:
    old = {
        "type": "m.room.redaction",
        "sender": "@amina:localhost",
        "event_id": "$r",
        "redacts": "$gone",
        "content": {},
    }
    new = {
        "type": "m.room.redaction",
        "sender": "@amina:localhost",
        "event_id": "$r",
        "content": {"redacts": "$gone"},
    }
    for source in (old, new):
        event = to_event(source, ROOM)
        assert isinstance(event, MessageDeleted)
        assert event.message_id == "$gone"


def test_a_knock_on_the_community_room_is_a_join_request_with_its_reason() -> None:
    knock = {
        "type": "m.room.member",
        "sender": "@nadia:localhost",
        "state_key": "@nadia:localhost",
        "event_id": "$k",
        "content": {"membership": "knock", "reason": "I train trainers", "displayname": "Nadia"},
    }
    event = to_event(knock, ROOM)
    assert event == JoinRequest(
        event_id="$k",
        sender=UserRef("matrix", "@nadia:localhost", "Nadia"),
        chat=ChatRef("matrix", "!room:localhost"),
        reason="I train trainers",
    )
    elsewhere = RoomView("!other:localhost", BOT)
    assert to_event(knock, elsewhere) is None


def reaction(key: str, sender: str = "@amina:localhost") -> dict[str, Any]:
    relates = {"rel_type": "m.annotation", "event_id": "$card", "key": key}
    return {"type": "m.reaction", "sender": sender, "event_id": "$r", "content": {"m.relates_to": relates}}


def test_keycap_reactions_choose_options_and_other_reactions_do_not() -> None:
    assert reaction_choice(reaction("2\ufe0f\u20e3"), BOT) == ("$card", 2)
    assert reaction_choice(reaction("2\u20e3"), BOT) == ("$card", 2)
    assert reaction_choice(reaction("\U0001f51f"), BOT) == ("$card", 10)
    assert reaction_choice(reaction("👍"), BOT) is None
    assert reaction_choice(reaction("0\ufe0f\u20e3"), BOT) is None
    assert reaction_choice(reaction("1\ufe0f\u20e3", sender=BOT), BOT) is None
    assert to_event(reaction("1\ufe0f\u20e3"), ROOM) is None  # the adapter, which knows the options, maps it
