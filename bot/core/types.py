"""Value types that travel between platforms, the router and handlers.

Every type here is a frozen, slotted dataclass: cheap to build, hashable where it makes
sense, and safe to hand to concurrent tasks. Platform adapters translate their native
updates into these and back; nothing here knows about any platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum, StrEnum

from bot.core.text import Text

#: Telegram's callback data limit; the smallest of our platforms, so it binds all of them.
MAX_BUTTON_PAYLOAD_BYTES = 64


class Role(IntEnum):
    """What a person may do. Roles are ordered: each includes the ones below it."""

    GUEST = 0
    APPLICANT = 10
    MEMBER = 20
    MODERATOR = 30
    ADMIN = 40

    @property
    def label(self) -> str:
        """The role's lower-case name, as used in configuration and storage."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person as one platform reports them.

    Attributes:
        platform: the platform's name (``console``, ``telegram``, ``matrix``).
        id: the platform's stable user id (never a display name).
        display_name: the name the user chose; untrusted and not unique.
        language: the language the platform reports for the user (IETF tag), if any.
        username: a handle such as a Telegram ``@username``, if the platform has one.
    """

    platform: str
    id: str
    display_name: str = ""
    language: str | None = None
    username: str | None = None

    @property
    def key(self) -> str:
        """The platform-qualified id, e.g. ``telegram:12345``."""
        return f"{self.platform}:{self.id}"

    @property
    def name(self) -> str:
        """A name to show: the display name, else the username, else the id."""
        return self.display_name or self.username or self.id


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A place messages go: a chat or room, optionally one thread inside it."""

    platform: str
    id: str
    thread_id: str | None = None

    def thread(self, thread_id: str | None) -> ChatRef:
        """The same chat, narrowed to ``thread_id`` (or widened back with ``None``)."""
        return replace(self, thread_id=thread_id)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot sent, as the platform identifies it (to edit or delete it)."""

    chat: ChatRef
    id: str


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button. ``payload`` comes back in :attr:`IncomingMessage.button`.

    Payloads are short ``namespace:args`` strings, never data: they must fit Telegram's
    64-byte callback data.
    """

    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_BUTTON_PAYLOAD_BYTES:
            raise ValueError(f"button payload over {MAX_BUTTON_PAYLOAD_BYTES} bytes: {self.payload!r}")


class MenuScope(StrEnum):
    """Where a platform shows a :class:`CommandMenu`."""

    DIRECT_CHATS = "direct chats with the bot"
    MODERATOR_CHAT = "the moderators' chat"


@dataclass(frozen=True, slots=True)
class CommandMenu:
    """The commands a platform's client offers as you type (Telegram's command menu).

    Attributes:
        scope: where the menu is shown.
        locale: the language of the descriptions; ``None`` for everyone whose language
            has no menu of its own.
        commands: ``(name, description)`` pairs, in the order ``/help`` lists them.
    """

    scope: MenuScope
    locale: str | None
    commands: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: an export, a chart."""

    filename: str
    data: bytes = field(repr=False)
    media_type: str = "application/octet-stream"

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


#: Where an outgoing message goes: a chat (or thread), or a user by direct message.
Recipient = ChatRef | UserRef


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message the bot wants delivered.

    Attributes:
        to: a chat (its ``thread_id`` selects the thread) or a user (direct message).
        text: rich text; platforms render it and escape every piece of it.
        buttons: rows of inline buttons.
        reply_to: the platform message id this answers, if any.
        attachments: documents or images sent with the message.
        idempotency_key: the same key on a retried send lets the platform drop the
            repeat (Matrix transaction ids); the outbox sets one per row.
        captioned: the text is the caption of the one attachment (a relayed file), sent
            with it as one message where the platform allows (Telegram's ``caption``).
    """

    to: Recipient
    text: Text
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()
    idempotency_key: str | None = None
    captioned: bool = False


class MediaKind(StrEnum):
    """What kind of file a member's message carried."""

    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"  # voice messages too
    DOCUMENT = "document"  # any other file


@dataclass(frozen=True, slots=True)
class Media:
    """A file a member's message carried, as described by its platform.

    Attributes:
        kind: photo, video, audio or document.
        filename: the file's name, when the platform gives one (documents).
        ref: the platform's handle to fetch the file with (a Telegram ``file_id``, a
            Matrix ``mxc://`` URI), when the bot can copy it: photos and documents.
        size: its size in bytes, when the platform says.
        media_type: its MIME type, when the platform says.
    """

    kind: MediaKind
    filename: str | None = None
    ref: str | None = None
    size: int | None = None
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class FileLimits:
    """The largest files a platform lets the bot fetch and send, in bytes.

    Attributes:
        download: the largest file the bot can fetch (Telegram ``getFile``: 20 MB).
        image: the largest image sent as an image (Telegram ``sendPhoto``: 10 MB).
        document: the largest file sent as a file (Telegram ``sendDocument``: 50 MB).
    """

    download: int = 0
    image: int = 0
    document: int = 0

    def sendable(self, size: int, image: bool) -> bool:
        """Whether a file of ``size`` bytes can be sent (an image as a file, if need be)."""
        return size <= self.document or (image and size <= self.image)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened on a platform and may need the bot's attention.

    Attributes:
        event_id: unique per platform; the key that makes handling happen once.
        sender: who caused the event.
        chat: where it happened.
        is_direct: whether ``chat`` is a private chat between the sender and the bot.
        received_at: when the platform says it happened, if it says.
    """

    event_id: str
    sender: UserRef
    chat: ChatRef
    is_direct: bool = False
    received_at: datetime | None = None

    @property
    def platform(self) -> str:
        return self.sender.platform


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingMessage(Event):
    """A message, an edit of one, or a button press.

    Attributes:
        text: the message text (a file's caption); ``None`` for a file without a
            caption, stickers and the like.
        message_id: the platform's id for the message.
        reply_to: the id of the message this one answers, if any.
        edited: this event replaces the text of an earlier message ``message_id``.
        button: the payload of a pressed button; ``text`` is then ``None``.
        media: the photo, video, audio or document the message carried, if any.
    """

    text: str | None = None
    message_id: str | None = None
    reply_to: str | None = None
    edited: bool = False
    button: str | None = None
    media: Media | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinRequest(Event):
    """Someone asks to enter a community chat (Telegram join request, Matrix knock)."""

    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleted(Event):
    """A message was deleted (Telegram cannot tell bots; Matrix redactions can)."""

    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachabilityChanged(Event):
    """The sender blocked the bot (``reachable`` false) or unblocked it in their direct chat."""

    reachable: bool
