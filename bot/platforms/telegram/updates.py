"""Telegram updates, read: core events out of Bot API updates, and offsets that lose nothing.

Two pieces without I/O, kept apart from the adapter so they are tested on their own:

* :func:`event_of` turns an update, as the Bot API's JSON, into a core
  :class:`~bot.core.types.Event` (or ``None`` for updates the bot ignores). It reads the
  few fields the bot uses straight from the JSON: building python-telegram-bot's
  ``Update``, ``Message``, ``User``... objects for every update (and again for each one
  still in flight that a poll returns) was about a third of the adapter's CPU time. The
  event id is the update id, which Telegram keeps when it delivers an update again: the
  processed-events ledger then drops the repeat.
* :class:`UpdateLedger` decides which offset to confirm. python-telegram-bot's ``Updater``
  confirms an update as soon as it is fetched, so a crash loses the updates fetched and
  not yet handled. Here the offset sent to ``getUpdates`` never passes an update still in
  flight: everything unconfirmed comes back after a restart, and what was already handled
  is skipped by the ledger in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update

from bot.core.platform import Handled
from bot.core.types import (
    ChatRef,
    Event,
    IncomingMessage,
    JoinRequest,
    Media,
    MediaKind,
    ReachabilityChanged,
    UserRef,
)
from bot.platforms.telegram import TELEGRAM

NAME = TELEGRAM.name
#: The update kinds the bot asks for; ``chat_join_request`` arrives only when listed.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "chat_join_request", "my_chat_member")
#: A Bot API object as JSON.
Json = dict[str, Any]
#: Hands one update (the Bot API's JSON) to the bot, polled or posted to the webhook; the
#: result resolves once it is handled. It raises when the bot refuses the update (stopping).
UpdateHandler = Callable[[Json], Awaitable[Handled]]
#: ``ChatMember.status`` values of someone out of the chat (``kicked`` is a ban).
_GONE = frozenset({"kicked", "left"})


def as_json(update: Update | Json) -> Json:
    """An update as the Bot API's JSON (a python-telegram-bot ``Update`` is converted)."""
    return update.to_dict() if isinstance(update, Update) else update


def user_ref(user: Json) -> UserRef:
    """A Telegram user as the core knows people."""
    first, last = user.get("first_name") or "", user.get("last_name")
    full_name = f"{first} {last}" if last else first
    return UserRef(NAME, str(user["id"]), full_name, user.get("language_code"), user.get("username"))


def chat_ref(message: Json) -> ChatRef:
    """Where a message was posted; a forum topic's ``message_thread_id`` is the thread."""
    thread = message.get("message_thread_id") if message.get("is_topic_message") else None
    return ChatRef(NAME, str(message["chat"]["id"]), str(thread) if thread else None)


def event_id(update: Json) -> str:
    """The key that makes handling happen once: stable when Telegram delivers again."""
    return f"update:{update['update_id']}"


def _time(timestamp: int | None) -> datetime | None:
    return None if not timestamp else datetime.fromtimestamp(timestamp, tz=UTC)


def _is_private(chat: Json) -> bool:
    return bool(chat.get("type") == "private")


def _reply_to(message: Json) -> str | None:
    replied = message.get("reply_to_message")
    # In a forum topic every message "replies" to the topic's creation message.
    if replied is None or replied.get("forum_topic_created") is not None:
        return None
    return str(replied["message_id"])


def media_of(message: Json) -> Media | None:
    """The file a message carried (its caption is the message's text), if any.

    Photos and documents carry their ``file_id`` as :attr:`Media.ref`, so the adapter can
    fetch them (:mod:`~bot.platforms.telegram.files`); their download URL contains the
    bot's token and never leaves the adapter.
    """
    if message.get("photo"):
        largest = message["photo"][-1]  # Telegram lists a photo's sizes smallest first
        return Media(MediaKind.PHOTO, None, largest["file_id"], largest.get("file_size"), "image/jpeg")
    if message.get("video") or message.get("video_note") or message.get("animation"):
        return Media(MediaKind.VIDEO)
    if message.get("audio") or message.get("voice"):
        return Media(MediaKind.AUDIO)
    document = message.get("document")
    if document:
        return Media(
            MediaKind.DOCUMENT,
            document.get("file_name"),
            document["file_id"],
            document.get("file_size"),
            document.get("mime_type"),
        )
    return None


def event_of(update: Update | Json, community_chat_id: int | None = None) -> Event | None:
    """The core event an update carries, or ``None`` when it is none of the bot's business.

    Args:
        update: the update, as JSON (or as python-telegram-bot's ``Update``).
        community_chat_id: join requests are taken only for this chat (when set).
    """
    update = as_json(update)
    edited = update.get("edited_message") is not None
    message = update.get("message") or update.get("edited_message")
    if message is not None:
        sender = message.get("from")
        if sender is None or sender.get("is_bot"):  # channel posts, other bots, service messages
            return None
        return IncomingMessage(
            event_id=event_id(update),
            sender=user_ref(sender),
            chat=chat_ref(message),
            is_direct=_is_private(message["chat"]),
            received_at=(_time(message.get("edit_date")) if edited else None) or _time(message.get("date")),
            text=message.get("text") or message.get("caption"),
            message_id=str(message["message_id"]),
            reply_to=_reply_to(message),
            edited=edited,
            media=media_of(message),
        )
    query = update.get("callback_query")
    if query is not None:
        where = query.get("message")
        if where is not None:
            # A message too old for Telegram to show (date 0) is still in the same chat.
            chat = chat_ref(where) if where.get("date") else ChatRef(NAME, str(where["chat"]["id"]))
            direct, message_id = _is_private(where["chat"]), str(where["message_id"])
        else:  # a button under an inline-mode message: answer in private
            chat, direct, message_id = ChatRef(NAME, str(query["from"]["id"])), True, None
        return IncomingMessage(
            event_id=event_id(update),
            sender=user_ref(query["from"]),
            chat=chat,
            is_direct=direct,
            message_id=message_id,
            button=query.get("data") or "expired",
        )
    if update.get("my_chat_member") is not None:
        return reachability_of(update)
    request = update.get("chat_join_request")
    if request is not None:
        if community_chat_id is not None and request["chat"]["id"] != community_chat_id:
            return None
        return JoinRequest(
            event_id=event_id(update),
            sender=user_ref(request["from"]),
            chat=ChatRef(NAME, str(request["chat"]["id"])),
            received_at=_time(request.get("date")),
            reason=request.get("bio"),
        )
    return None


def reachability_of(update: Update | Json) -> ReachabilityChanged | None:
    """The user blocked or unblocked the bot (a ``my_chat_member`` update in private), else ``None``."""
    update = as_json(update)
    changed = update.get("my_chat_member")
    if changed is None or not _is_private(changed["chat"]):
        return None
    return ReachabilityChanged(
        event_id=event_id(update),
        sender=user_ref(changed["from"]),
        chat=ChatRef(NAME, str(changed["chat"]["id"])),
        is_direct=True,
        received_at=_time(changed.get("date")),
        reachable=changed["new_chat_member"].get("status") not in _GONE,
    )


class UpdateLedger:
    """Which updates are in flight, and the offset that confirms only handled ones.

    The offset is the lowest update id still in flight, or one past the highest handled
    when none is. Updates Telegram sends again while they are in flight (they are not
    confirmed yet) are recognised and not handled twice. Only ids below the offset last
    sent to Telegram (:meth:`asked`) are known to be handled: updates of one batch may
    come in any order (a webhook with several connections delivers them so), and an id
    lower than one in flight may still be new.
    """

    def __init__(self) -> None:
        self.in_flight: set[int] = set()
        self._handled: set[int] = set()
        self._again: set[int] = set()  # forgotten: to be taken again, not confirmed
        self._highest: int | None = None
        self._confirmed: int | None = None  # the offset last sent: every id below it is handled

    @property
    def offset(self) -> int | None:
        """The ``offset`` for the next ``getUpdates`` (``None``: nothing seen yet)."""
        if self.in_flight or self._again:
            return min(self.in_flight | self._again)
        return None if self._highest is None else self._highest + 1

    def asked(self, offset: int | None) -> None:
        """``offset`` was sent to Telegram: the updates below it are confirmed, and never come again."""
        if offset is None:
            return
        self._confirmed = offset if self._confirmed is None else max(self._confirmed, offset)
        self._handled = {handled for handled in self._handled if handled >= self._confirmed}

    def accept(self, update_id: int) -> bool:
        """Whether ``update_id`` is new (then it is in flight until :meth:`done`)."""
        if update_id in self.in_flight or update_id in self._handled:
            return False
        if self._confirmed is not None and update_id < self._confirmed:
            return False  # handled and confirmed
        self._again.discard(update_id)
        self.in_flight.add(update_id)
        self._highest = update_id if self._highest is None else max(self._highest, update_id)
        return True

    def forget(self, update_id: int) -> None:
        """The update was not handled after all: take it again when it comes back."""
        self.in_flight.discard(update_id)
        self._again.add(update_id)

    def done(self, update_id: int) -> None:
        """The update was handled (committed, or failed and recorded)."""
        self.in_flight.discard(update_id)
        self._handled.add(update_id)
