"""Telegram updates, read: core events out of Bot API updates, and offsets that lose nothing.

Two pieces without I/O, kept apart from the adapter so they are tested on their own:

* :func:`event_of` turns an :class:`telegram.Update` into a core :class:`~bot.core.types.Event`
  (or ``None`` for updates the bot ignores). The event id is the update id, which Telegram
  keeps when it delivers an update again: the processed-events ledger then drops the repeat.
* :class:`UpdateLedger` decides which offset to confirm. python-telegram-bot's ``Updater``
  confirms an update as soon as it is fetched, so a crash loses the updates fetched and
  not yet handled. Here the offset sent to ``getUpdates`` never passes an update still in
  flight: everything unconfirmed comes back after a restart, and what was already handled
  is skipped by the ledger in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Chat, ChatMember, Message, Update, User

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
#: Hands one update to the bot (polled or posted to the webhook); the result resolves
#: once it is handled. It raises when the bot refuses the update (stopping).
UpdateHandler = Callable[[Update], Awaitable[Handled]]


def user_ref(user: User) -> UserRef:
    """A Telegram user as the core knows people."""
    return UserRef(NAME, str(user.id), user.full_name or "", user.language_code, user.username)


def chat_ref(message: Message) -> ChatRef:
    """Where a message was posted; a forum topic's ``message_thread_id`` is the thread."""
    thread = (
        str(message.message_thread_id) if message.is_topic_message and message.message_thread_id else None
    )
    return ChatRef(NAME, str(message.chat.id), thread)


def event_id(update: Update) -> str:
    """The key that makes handling happen once: stable when Telegram delivers again."""
    return f"update:{update.update_id}"


def _reply_to(message: Message) -> str | None:
    replied = message.reply_to_message
    # In a forum topic every message "replies" to the topic's creation message.
    if replied is None or replied.forum_topic_created is not None:
        return None
    return str(replied.message_id)


def media_of(message: Message) -> Media | None:
    """The file a message carried (its caption is the message's text), if any.

    Photos and documents carry their ``file_id`` as :attr:`Media.ref`, so the adapter can
    fetch them (:mod:`~bot.platforms.telegram.files`); their download URL contains the
    bot's token and never leaves the adapter.
    """
    if message.photo:
        largest = message.photo[-1]  # Telegram lists a photo's sizes smallest first
        return Media(MediaKind.PHOTO, None, largest.file_id, largest.file_size, "image/jpeg")
    if message.video or message.video_note or message.animation:
        return Media(MediaKind.VIDEO)
    if message.audio or message.voice:
        return Media(MediaKind.AUDIO)
    if message.document:
        document = message.document
        return Media(
            MediaKind.DOCUMENT, document.file_name, document.file_id, document.file_size, document.mime_type
        )
    return None


def event_of(update: Update, community_chat_id: int | None = None) -> Event | None:
    """The core event an update carries, or ``None`` when it is none of the bot's business.

    Args:
        update: the update.
        community_chat_id: join requests are taken only for this chat (when set).
    """
    message = update.message or update.edited_message
    if message is not None:
        sender = message.from_user
        if sender is None or sender.is_bot:  # channel posts, other bots, service messages
            return None
        edited = update.edited_message is not None
        return IncomingMessage(
            event_id=event_id(update),
            sender=user_ref(sender),
            chat=chat_ref(message),
            is_direct=message.chat.type == Chat.PRIVATE,
            received_at=(message.edit_date if edited else None) or message.date,
            text=message.text or message.caption,
            message_id=str(message.message_id),
            reply_to=_reply_to(message),
            edited=edited,
            media=media_of(message),
        )
    query = update.callback_query
    if query is not None:
        where = query.message
        if isinstance(where, Message):
            chat, direct, message_id = chat_ref(where), where.chat.type == Chat.PRIVATE, str(where.message_id)
        elif where is not None:  # too old for Telegram to show: still the same chat
            chat = ChatRef(NAME, str(where.chat.id))
            direct, message_id = where.chat.type == Chat.PRIVATE, str(where.message_id)
        else:  # a button under an inline-mode message: answer in private
            chat, direct, message_id = ChatRef(NAME, str(query.from_user.id)), True, None
        return IncomingMessage(
            event_id=event_id(update),
            sender=user_ref(query.from_user),
            chat=chat,
            is_direct=direct,
            message_id=message_id,
            button=query.data or "expired",
        )
    if update.my_chat_member is not None:
        return reachability_of(update)
    request = update.chat_join_request
    if request is not None:
        if community_chat_id is not None and request.chat.id != community_chat_id:
            return None
        return JoinRequest(
            event_id=event_id(update),
            sender=user_ref(request.from_user),
            chat=ChatRef(NAME, str(request.chat.id)),
            received_at=request.date,
            reason=request.bio,
        )
    return None


def reachability_of(update: Update) -> ReachabilityChanged | None:
    """The user blocked or unblocked the bot (a ``my_chat_member`` update in private), else ``None``."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type != Chat.PRIVATE:
        return None
    status = changed.new_chat_member.status
    return ReachabilityChanged(
        event_id=event_id(update),
        sender=user_ref(changed.from_user),
        chat=ChatRef(NAME, str(changed.chat.id)),
        is_direct=True,
        received_at=changed.date,
        reachable=status not in (ChatMember.BANNED, ChatMember.LEFT),
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
