"""Matrix events (their JSON, decrypted) to copbot events. Pure functions, no I/O.

What is mapped:

* ``m.room.message`` with ``msgtype`` ``m.text`` or ``m.notice`` → :class:`IncomingMessage`;
  ``m.image``, ``m.video``, ``m.audio`` and ``m.file`` too, with :class:`Media` and the
  caption as text (a ``body`` that differs from the ``filename``, as Matrix 1.10 puts
  captions; a ``body`` alone is the file's name), its ``mxc://`` URI as :attr:`Media.ref`
  (an encrypted file's stays on the homeserver).
  A thread (``rel_type: m.thread``) sets ``chat.thread_id`` to its root event; a reply
  (``m.in_reply_to``, unless it is a thread's fallback) sets ``reply_to`` and loses its
  quoted fallback lines; an edit (``rel_type: m.replace``) carries ``m.new_content`` and
  the original event's id as ``message_id``, with ``edited=True``.
* ``m.room.redaction`` → :class:`MessageDeleted` of the redacted event (room versions
  before 11 put ``redacts`` at the top level, later ones in the content: both are read).
* ``m.room.member`` with ``membership: knock`` in the community room →
  :class:`JoinRequest` with the knock's reason.

A keycap reaction (1️⃣ … 🔟) on a message with numbered options presses that option;
:func:`reaction_choice` reads it and the adapter, which knows the options, maps it.
The bot's own events and anything else map to ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.core.types import (
    ChatRef,
    Event,
    IncomingMessage,
    JoinRequest,
    Media,
    MediaKind,
    MessageDeleted,
    UserRef,
)
from bot.platforms.matrix import MATRIX

NAME = MATRIX.name
TEXT_TYPES = frozenset({"m.text", "m.notice"})
MEDIA_TYPES = {
    "m.image": MediaKind.PHOTO,
    "m.video": MediaKind.VIDEO,
    "m.audio": MediaKind.AUDIO,
    "m.file": MediaKind.DOCUMENT,
}


@dataclass(frozen=True, slots=True)
class RoomView:
    """What the mapping needs to know about the room an event happened in.

    Attributes:
        room_id: the room.
        bot_user_id: the bot's own user id (its events are ignored).
        is_direct: the room is a direct chat between the sender and the bot.
        is_community: the room is the community room (knocks there are join requests).
        names: display names of the room's members, by user id.
    """

    room_id: str
    bot_user_id: str
    is_direct: bool = False
    is_community: bool = False
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Relation:
    """How a message relates to others: thread root, replied-to event, edited event."""

    thread_root: str | None = None
    reply_to: str | None = None
    replaces: str | None = None


def user(user_id: str, names: Mapping[str, str] | None = None) -> UserRef:
    """The :class:`UserRef` of a Matrix user (the display name is the room's, if known)."""
    return UserRef(NAME, user_id, (names or {}).get(user_id) or "")


def relation(content: Mapping[str, Any]) -> Relation:
    """Read ``m.relates_to`` of a message content."""
    relates = content.get("m.relates_to")
    if not isinstance(relates, dict):
        return Relation()
    in_reply = relates.get("m.in_reply_to")
    reply_to = in_reply.get("event_id") if isinstance(in_reply, dict) else None
    rel_type = relates.get("rel_type")
    if rel_type == "m.thread":
        # In a thread, a reply that only "falls back" to the latest event is no reply.
        falling_back = relates.get("is_falling_back", False)
        return Relation(thread_root=relates.get("event_id"), reply_to=None if falling_back else reply_to)
    if rel_type == "m.replace":
        return Relation(replaces=relates.get("event_id"))
    return Relation(reply_to=reply_to)


#: Reactions that choose an option: the keycap digits and ten.
_KEYCAPS = {f"{digit}\ufe0f\u20e3": digit for digit in range(10)} | {
    f"{digit}\u20e3": digit for digit in range(10)
}
_KEYCAPS["\U0001f51f"] = 10


def reaction_choice(source: Mapping[str, Any], bot_user_id: str) -> tuple[str, int] | None:
    """A keycap reaction (1️⃣ … 🔟) someone put on an event: ``(event id, number)``."""
    content = source.get("content")
    if (
        source.get("type") != "m.reaction"
        or source.get("sender") == bot_user_id
        or not isinstance(content, dict)
    ):
        return None
    relates = content.get("m.relates_to")
    if not isinstance(relates, dict) or relates.get("rel_type") != "m.annotation":
        return None
    target, number = relates.get("event_id"), _KEYCAPS.get(str(relates.get("key")))
    return (target, number) if isinstance(target, str) and number else None


def strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@user> quoted`` lines a client puts in front of a reply's body."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def timestamp(source: Mapping[str, Any]) -> datetime | None:
    milliseconds = source.get("origin_server_ts")
    return datetime.fromtimestamp(milliseconds / 1000, UTC) if isinstance(milliseconds, int) else None


def to_event(source: Mapping[str, Any], room: RoomView) -> Event | None:
    """Map one timeline event (decrypted JSON) to a copbot event, or ``None`` to ignore it."""
    sender = source.get("sender")
    event_id = source.get("event_id")
    if not isinstance(sender, str) or not isinstance(event_id, str) or sender == room.bot_user_id:
        return None
    content = source.get("content")
    if not isinstance(content, dict):
        return None
    kind = source.get("type")
    if kind == "m.room.message":
        return _message(source, content, room, sender, event_id)
    if kind == "m.room.redaction":
        redacts = source.get("redacts") or content.get("redacts")
        if not isinstance(redacts, str):
            return None
        return MessageDeleted(
            event_id=event_id,
            sender=user(sender, room.names),
            chat=ChatRef(NAME, room.room_id),
            is_direct=room.is_direct,
            received_at=timestamp(source),
            message_id=redacts,
        )
    if kind == "m.room.member" and content.get("membership") == "knock" and room.is_community:
        subject = source.get("state_key")
        if not isinstance(subject, str):
            return None
        reason = content.get("reason")
        return JoinRequest(
            event_id=event_id,
            sender=UserRef(NAME, subject, content.get("displayname") or ""),
            chat=ChatRef(NAME, room.room_id),
            received_at=timestamp(source),
            reason=reason if isinstance(reason, str) and reason else None,
        )
    return None


def media(content: Mapping[str, Any]) -> tuple[Media, str | None] | None:
    """The file a media message carries and its caption, or ``None`` for other messages."""
    kind = MEDIA_TYPES.get(str(content.get("msgtype")))
    if kind is None:
        return None
    body, filename = content.get("body"), content.get("filename")
    body = body if isinstance(body, str) and body else None
    url, info = content.get("url"), content.get("info")
    info = info if isinstance(info, dict) else {}
    size, media_type = info.get("size"), info.get("mimetype")
    # an encrypted file has ``file`` instead of ``url``: it stays where it was posted
    ref = url if isinstance(url, str) and url.startswith("mxc://") else None
    known = size if isinstance(size, int) and not isinstance(size, bool) else None
    mime = media_type if isinstance(media_type, str) and media_type else None
    if isinstance(filename, str) and filename and filename != body:
        return Media(kind, filename, ref, known, mime), body
    return Media(kind, body, ref, known, mime), None


def _message(
    source: Mapping[str, Any], content: Mapping[str, Any], room: RoomView, sender: str, event_id: str
) -> IncomingMessage | None:
    related = relation(content)
    shown: Mapping[str, Any]
    if related.replaces is not None:
        new = content.get("m.new_content")
        if not isinstance(new, dict):
            return None
        shown, message_id = new, related.replaces
    else:
        shown, message_id = content, event_id
    file = media(shown)
    if file is not None:
        body: object = file[1]
    elif shown.get("msgtype") in TEXT_TYPES:
        body = shown.get("body")
        if not isinstance(body, str):
            return None
        if related.replaces is None and related.reply_to is not None:
            body = strip_reply_fallback(body)
    else:
        return None
    return IncomingMessage(
        event_id=event_id,
        sender=user(sender, room.names),
        chat=ChatRef(NAME, room.room_id, related.thread_root),
        is_direct=room.is_direct,
        received_at=timestamp(source),
        text=body if isinstance(body, str) else None,
        message_id=message_id,
        reply_to=related.reply_to,
        edited=related.replaces is not None,
        media=file[0] if file is not None else None,
    )
