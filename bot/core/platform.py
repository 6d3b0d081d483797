"""The port every chat platform implements.

A platform is small on purpose (httpx's transports and python-telegram-bot's
``BaseRequest`` are the model): start and stop, send and edit a message, open a thread.
Everything else is an optional :class:`Capability`; asking a platform for one it lacks
raises :class:`~bot.core.errors.UnsupportedCapability`, so callers can offer a fallback.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from enum import StrEnum

from bot.core.errors import UnsupportedCapability
from bot.core.pacing import UNLIMITED, RateLimits
from bot.core.types import (
    ChatRef,
    CommandMenu,
    Event,
    FileLimits,
    Media,
    MessageRef,
    OutgoingMessage,
    UserRef,
)

#: Resolves once an event has been handled (committed, or failed and logged).
Handled = Awaitable[None]

#: What a platform calls for every incoming event. It may wait (back-pressure) and
#: returns an awaitable that resolves once the event has been handled: an adapter
#: confirms an event to its server (Telegram's update offset, Matrix's sync token) only
#: after that, so a crash never loses an accepted event.
EventSink = Callable[[Event], Awaitable[Handled]]


class Capability(StrEnum):
    """Optional things a platform may be able to do."""

    ADMIT_USER = "admit a user to the community"
    REMOVE_USER = "remove a user from the community"
    SEND_DOCUMENT = "send a document"  # send() accepts attachments
    DELETE_MESSAGE = "delete a message"
    CLOSE_THREAD = "close a thread"
    COMMAND_MENU = "show a menu of commands"
    #: ``send`` drops a repeat of a message with the same ``idempotency_key`` (Matrix
    #: transaction ids), so a reply cut off by a crash can be sent again safely.
    IDEMPOTENT_SEND = "drop a repeated send with the same idempotency key"


class Platform(ABC):
    """A chat platform adapter.

    Attributes:
        name: the platform's name, also the prefix of its user ids (``telegram:123``).
        bot_username: the bot's own handle, to recognise ``/cmd@bot`` in groups.
        command_prefix: the prefix the bot writes in hints (Matrix clients reserve ``/``).
        message_limit: the longest text one message may carry, in characters.
        capabilities: the optional capabilities this adapter implements.
        rate_limits: how fast the platform accepts messages (the outbox paces to it).
        community_chat: the community's chat on this platform (dialogues are posted
            there), if it has one.
        moderator_chat: the moderators' chat on this platform, if it has one: new
            applications and review reminders go there instead of to each moderator.
        local_operator: every event comes from one operator at this machine (the
            console), whatever user they speak as: they are not flood-limited.
        file_limits: the largest files the bot may fetch and send here (none by
            default: a platform that cannot fetch files relays them as notes).
    """

    name: str
    bot_username: str | None = None
    command_prefix: str = "/"
    message_limit: int = 4096
    capabilities: frozenset[Capability] = frozenset()
    rate_limits: RateLimits = UNLIMITED
    community_chat: ChatRef | None = None
    moderator_chat: ChatRef | None = None
    local_operator: bool = False
    file_limits: FileLimits = FileLimits()

    @abstractmethod
    async def start(self, sink: EventSink) -> None:
        """Connect and begin delivering events to ``sink``. Returns once started."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving, finish in-flight sends and disconnect."""

    @abstractmethod
    async def send(self, message: OutgoingMessage) -> MessageRef:
        """Deliver one message.

        Raises:
            UnsupportedCapability: the message has attachments and the platform lacks
                :attr:`Capability.SEND_DOCUMENT`.
            RecipientUnreachable: the recipient blocked the bot or cannot be found.
            RateLimited: the platform asks to wait before retrying.
        """

    @abstractmethod
    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        """Replace the text and buttons of a message the bot sent."""

    @abstractmethod
    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        """Open a thread in ``chat`` whose first message is ``opening``.

        Returns:
            The opening message; its ``chat.thread_id`` identifies the new thread.
        """

    @property
    def display_name(self) -> str:
        """The platform's name as people know it (``Telegram``, ``Matrix``): relayed
        messages are attributed with it."""
        return self.name.capitalize()

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def thread_link(self, thread: ChatRef, opening: str | None) -> str | None:
        """Where a member finds ``thread`` (opened by message ``opening``): a link or a
        location they can follow, or ``None`` when the platform has none to give."""
        return None

    def is_moderators_chat(self, chat: ChatRef) -> bool:
        """Whether ``chat`` (any thread of it) is read by moderators only.

        By default the :attr:`moderator_chat`; a platform may have such a chat without
        sending review notices there (the console), and says so by overriding this.
        """
        return self.moderator_chat is not None and chat.id == self.moderator_chat.id

    async def download(self, media: Media) -> bytes | None:
        """The bytes of a file a message on this platform carried (``media.ref``).

        Returns:
            The file, or ``None`` when this platform cannot fetch it (no ``ref``, an
            encrypted file, a platform without files); the copy is then a note.

        Raises:
            PlatformError: fetching failed and may succeed later.
        """
        return None

    async def admit_user(self, user: UserRef) -> None:
        """Let an approved member into the community chat."""
        raise UnsupportedCapability(self.name, Capability.ADMIT_USER)

    async def remove_user(self, user: UserRef, reason: str | None = None) -> None:
        """Remove a member from the community chats."""
        raise UnsupportedCapability(self.name, Capability.REMOVE_USER)

    async def ban_user(self, user: UserRef, reason: str | None = None) -> None:
        """Remove a member and keep them out (Matrix: ban); by default, :meth:`remove_user`."""
        await self.remove_user(user, reason)

    async def delete_message(self, ref: MessageRef) -> None:
        """Delete (Matrix: redact) a message."""
        raise UnsupportedCapability(self.name, Capability.DELETE_MESSAGE)

    async def close_thread(self, chat: ChatRef) -> None:
        """Close a thread so no one can post in it any more."""
        raise UnsupportedCapability(self.name, Capability.CLOSE_THREAD)

    async def set_command_menu(self, menu: CommandMenu) -> None:
        """Offer ``menu``'s commands in the client (replacing the scope's earlier menu)."""
        raise UnsupportedCapability(self.name, Capability.COMMAND_MENU)
