"""The Matrix platform: copbot as a Matrix bot account, through matrix-nio.

Rooms: the community room (``COPBOT_MATRIX__COMMUNITY_ROOM``; a prompt is a root event
and its replies live in its thread; a knock there is a join request), the moderators' room
(review cards) and direct chats (:mod:`.direct`; the bot accepts invitations to them).
User ids are full Matrix ids, so a member's key is ``matrix:@alice:example.org``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinResponse,
    MegolmEvent,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)
from nio.exceptions import LocalProtocolError

from bot.config import Settings
from bot.core.errors import PlatformError, UnsupportedCapability
from bot.core.platform import Capability, EventSink, Handled, Platform
from bot.core.text import split
from bot.core.types import ChatRef, Event, IncomingMessage, Media, MessageRef, OutgoingMessage, UserRef
from bot.platforms.matrix.direct import DirectChats
from bot.platforms.matrix.errors import to_error
from bot.platforms.matrix.events import NAME, RoomView, reaction_choice, timestamp, to_event, user
from bot.platforms.matrix.files import download, file_limits, upload
from bot.platforms.matrix.limits import MATRIX_LIMITS, LimitGate
from bot.platforms.matrix.membership import Membership, find_community, join
from bot.platforms.matrix.render import Content, Keyboards, edit_content, message_content
from bot.platforms.matrix.session import SyncLoop, SyncTokens, log_in
from bot.platforms.matrix.settings import MatrixSettings
from bot.platforms.matrix.store import AccountSyncTokens, AdapterStore, FileSyncTokens, SharedSyncTokens
from bot.platforms.matrix.threads import ThreadMemory
from bot.platforms.matrix.turns import ReceivingTurns

log = logging.getLogger(__name__)


class MatrixPlatform(Platform):
    """The Matrix adapter.

    Args:
        settings: the ``COPBOT_MATRIX__*`` group.
        app_settings: the whole configuration.
    """

    name = NAME
    command_prefix = "!"
    #: An event is at most 64 KiB, and carries the text twice (plain and HTML, escaped).
    message_limit = 6_000
    capabilities = frozenset(
        {
            Capability.ADMIT_USER,
            Capability.REMOVE_USER,
            Capability.SEND_DOCUMENT,
            Capability.DELETE_MESSAGE,
            # a transaction id sent again on the same device is dropped by the homeserver
            Capability.IDEMPOTENT_SEND,
        }
    )
    rate_limits = MATRIX_LIMITS

    def __init__(self, settings: MatrixSettings, app_settings: Settings) -> None:
        # matrix-nio logs every event it handles at INFO; the adapter logs what matters.
        logging.getLogger("nio").setLevel(logging.WARNING)
        self.settings = settings
        self.app_settings = app_settings
        self.bot_username = settings.user_id
        self.store = AdapterStore(settings.store_path)
        self.tokens: SyncTokens = FileSyncTokens(self.store)
        self.keyboards = Keyboards()
        self.limits = LimitGate()
        self._client: AsyncClient | None = None
        self._sync: SyncLoop | None = None
        self._sink: EventSink | None = None
        self._direct: DirectChats | None = None
        self._community_rooms: tuple[str, ...] = ()  # the community room, and its space if any
        self._members: Membership | None = None
        self._threads = ThreadMemory()
        self._background: set[asyncio.Task[None]] = set()
        self._syncs_under_lease = False
        self._turns: ReceivingTurns | None = None

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise PlatformError("the Matrix platform is not started")
        return self._client

    @property
    def direct(self) -> DirectChats:
        if self._direct is None:
            raise PlatformError("the Matrix platform is not started")
        return self._direct

    # -- life cycle -------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Log in and find the rooms; then sync, unless receiving waits for a lease."""
        self._sink = sink
        self._client = await log_in(self.settings, self.store)
        self.file_limits = await file_limits(self._client, self.settings.upload_limit)
        self._sync = SyncLoop(self._client, self.tokens, self._handle_batch)
        self._turns = ReceivingTurns(self._sync, self._resume)
        if self.settings.moderator_room:
            self.moderator_chat = ChatRef(NAME, await join(self._client, self.settings.moderator_room))
        if self.settings.community_room:
            community = await find_community(self._client, self.settings.community_room)
            self._community_rooms = community.rooms
            self.community_chat = ChatRef(NAME, community.room)
            moderators = self.moderator_chat.id if self.moderator_chat else None
            self._members = Membership(self._client, community, moderators)
        if self._syncs_under_lease:  # sends from here; receives once it holds the lease
            await self._sync.refresh()
            first = None
        else:
            first = await self._sync.first_sync()
        self._direct = DirectChats(self._client, self._sync.catch_up)
        await self._direct.load()
        if first is not None:
            await self._resume(first)
        log.info(
            "Matrix: %s on %s, encryption %s, community %s",
            self.settings.user_id,
            self.settings.homeserver,
            "on" if self._client.olm is not None else "off",
            self.community_chat.id if self.community_chat else "-",
        )

    async def _resume(self, first: SyncResponse) -> None:
        """Start the sync loop after ``first``, handling its events if it resumed from a token."""
        assert self._sync is not None
        resuming = self._sync.since is not None
        if not resuming:  # history is not news, but an invitation still waits for an answer
            for room_id, invited in first.rooms.invite.items():
                self._on_invite(room_id, invited.invite_state)
        await self._sync.start(first, handle=resuming)

    def keep_sync_token(self, tokens: SharedSyncTokens) -> None:
        """Before :meth:`start`: keep the sync token in the database, where the next receiver reads it."""
        self.tokens = AccountSyncTokens(tokens, self.settings.user_id)

    def receive_under_lease(self) -> bool:
        """Before :meth:`start`: send from here, but sync only while holding the lease (:mod:`.turns`)."""
        self._syncs_under_lease = True
        return True

    @property
    def receiving(self) -> bool:
        """Whether this instance syncs (or is about to: its first sync is under way)."""
        return self._turns is not None and self._turns.active

    async def start_receiving(self) -> None:
        """Start syncing from the confirmed token (this instance took the receiving lease)."""
        if self._turns is not None:
            self._turns.begin()

    async def stop_receiving(self) -> None:
        """Stop syncing at once; what was received but not confirmed comes to the next holder."""
        if self._turns is not None:
            await self._turns.end()

    async def stop(self) -> None:
        await self.stop_receiving()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._client is not None:
            await self._client.close()

    # -- receiving --------------------------------------------------------------------

    async def _handle_batch(self, response: SyncResponse, since: str | None) -> Sequence[Handled]:
        assert self._sink is not None
        assert self._sync is not None
        for room_id, invited in response.rooms.invite.items():
            self._on_invite(room_id, invited.invite_state)
        handled: list[Handled] = []
        for room_id, joined in response.rooms.join.items():
            timeline = list(joined.timeline.events)
            if joined.timeline.limited and joined.timeline.prev_batch and since is not None:
                missed = await self._sync.missed(room_id, joined.timeline.prev_batch, since)
                if missed:
                    log.info("fetched %d events missed in %s (a limited timeline)", len(missed), room_id)
                timeline = [*missed, *timeline]
            view = self._view(room_id)
            for nio_event in timeline:
                if isinstance(nio_event, MegolmEvent):
                    log.warning("could not decrypt event %s in %s", nio_event.event_id, room_id)
                    continue
                source = getattr(nio_event, "source", None)
                if not isinstance(source, dict):
                    continue
                event = to_event(source, view) or self._reaction(source, view)
                if event is None:
                    continue
                event = await self._complete(event)
                handled.append(await self._sink(event))
        return handled

    def _reaction(self, source: dict[str, Any], view: RoomView) -> IncomingMessage | None:
        """A keycap reaction on a message with options: a button press (other reactions: nothing)."""
        choice = reaction_choice(source, view.bot_user_id)
        payload = self.keyboards.chosen(*choice) if choice else None
        if payload is None:
            return None
        return IncomingMessage(
            event_id=str(source["event_id"]),
            sender=user(str(source["sender"]), view.names),
            chat=ChatRef(NAME, view.room_id, self._threads.get(choice[0]) if choice else None),
            is_direct=view.is_direct,
            received_at=timestamp(source),
            message_id=str(source["event_id"]),
            button=payload,
        )

    def _view(self, room_id: str) -> RoomView:
        room = self.client.rooms.get(room_id)
        names = {user_id: user.display_name for user_id, user in room.users.items()} if room else {}
        groups = {*self._community_rooms, *(chat.id for chat in (self.moderator_chat,) if chat is not None)}
        is_direct = room_id not in groups and (
            room_id in self.direct.rooms or (room is not None and room.joined_count + room.invited_count <= 2)
        )
        community = room_id in self._community_rooms
        return RoomView(room_id, self.settings.user_id, is_direct, community, names)

    async def _complete(self, event: Event) -> Event:
        """Add what the event's JSON alone does not say: an edit's thread, a pressed button."""
        if not isinstance(event, IncomingMessage) or event.message_id is None:
            return event
        message_id = event.message_id
        if event.edited:
            if event.chat.thread_id is None and not event.is_direct:
                root = await self._threads.root(self.client, event.chat.id, message_id)
                if root is not None:
                    event = replace(event, chat=event.chat.thread(root))
            return event
        self._threads.remember(message_id, event.chat.thread_id)
        if event.text is not None and event.media is None:  # a caption presses no option
            payload = self.keyboards.press(event.chat.id, event.text, event.reply_to, event.is_direct)
            if payload is not None:
                event = replace(event, text=None, button=payload)
        if event.is_direct:
            self.direct.seen(event.sender.id, event.chat.id)
        return event

    def _on_invite(self, room_id: str, invite_state: list[Any]) -> None:
        """Accept an invitation to a direct chat (or to a configured room)."""
        for event in invite_state:
            if not (
                isinstance(event, InviteMemberEvent)
                and event.state_key == self.settings.user_id
                and event.membership == "invite"
            ):
                continue
            direct = bool(event.content.get("is_direct"))
            configured = {self.settings.community_room, self.settings.moderator_room}
            if not direct and room_id not in configured:
                log.info("ignoring an invitation to %s from %s (not a direct chat)", room_id, event.sender)
                return
            self._in_background(self._accept(room_id, event.sender, direct))
            return

    async def _accept(self, room_id: str, inviter: str, direct: bool) -> None:
        response = await self.client.join(room_id)
        if not isinstance(response, JoinResponse):
            log.warning("could not accept the invitation to %s: %s", room_id, response)
            return
        if direct:
            await self.direct.joined(inviter, room_id)

    def _in_background(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- sending ----------------------------------------------------------------------

    async def _room_of(self, chat: ChatRef | UserRef) -> tuple[str, str | None]:
        if isinstance(chat, UserRef):
            return await self.direct.room_for(chat.id), None
        return chat.id, chat.thread_id

    async def _send_event(self, room_id: str, content: Content, tx_id: str | None) -> str:
        assert self._sync is not None
        await self._sync.known(room_id)  # nio encrypts only for rooms a sync has shown it

        async def attempt() -> str:
            try:
                response = await self.client.room_send(
                    room_id, "m.room.message", content, tx_id=tx_id, ignore_unverified_devices=True
                )
            except LocalProtocolError as error:
                raise PlatformError(f"cannot send to {room_id}: {error}") from error
            if not isinstance(response, RoomSendResponse):
                raise to_error(response)
            return str(response.event_id)

        return await self.limits.run(attempt)

    async def send(self, message: OutgoingMessage) -> MessageRef:
        """Send the text (in pieces of :attr:`message_limit`, options under the last), then files.

        Returns:
            The first event sent (a thread's root, what a reply answers).
        """
        room_id, thread = await self._room_of(message.to)
        key = message.idempotency_key
        sent: list[str] = []
        pieces = split(message.text, self.message_limit) if message.text else []
        if not pieces and not message.attachments:
            pieces = [message.text]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            content = message_content(
                piece,
                message.buttons if last else (),
                thread_root=thread,
                reply_to=message.reply_to if index == 0 else None,
            )
            event_id = await self._send_event(room_id, content, _tx(key, f"text{index}" if index else ""))
            if last:
                self.keyboards.shown(room_id, event_id, message.buttons)
            sent.append(event_id)
        for index, attachment in enumerate(message.attachments):
            content = await upload(self.client, room_id, attachment)
            if thread is not None:
                content["m.relates_to"] = {
                    "rel_type": "m.thread",
                    "event_id": thread,
                    "is_falling_back": True,
                    "m.in_reply_to": {"event_id": thread},
                }
            sent.append(await self._send_event(room_id, content, _tx(key, f"file{index}")))
        for event_id in sent:
            self._threads.remember(event_id, thread)
        return MessageRef(ChatRef(NAME, room_id, thread), sent[0])

    async def download(self, media: Media) -> bytes | None:
        """The bytes of an ``mxc://`` file (an encrypted one is not fetched)."""
        return await download(self.client, media, self.file_limits.download)

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        new = message_content(message.text, message.buttons, thread_root=ref.chat.thread_id)
        # A fresh transaction id: the original's would make the server drop the edit.
        await self._send_event(ref.chat.id, edit_content(ref.id, new), None)
        self.keyboards.shown(ref.chat.id, ref.id, message.buttons)

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        """Post ``opening`` as a root event; its replies go in its thread (``m.thread``)."""
        root = await self.send(replace(opening, to=chat.thread(None), reply_to=None))
        return MessageRef(ChatRef(NAME, root.chat.id, root.id), root.id)

    # -- moderation -------------------------------------------------------------------

    def thread_link(self, thread: ChatRef, opening: str | None) -> str | None:
        """A matrix.to link to the thread's root event (the thread id is the root's id)."""
        root = thread.thread_id or opening
        return f"https://matrix.to/#/{quote(thread.id)}/{quote(root)}" if root else None

    def _membership(self, capability: Capability) -> Membership:
        if self._members is None:
            raise UnsupportedCapability(self.name, capability)
        return self._members

    async def admit_user(self, user: UserRef) -> None:
        """Invite ``user`` to the community (accepting a knock is inviting)."""
        await self._membership(Capability.ADMIT_USER).admit(user.id)

    async def remove_user(self, user: UserRef, reason: str | None = None) -> None:
        """Kick ``user`` from the community (and the moderators' room)."""
        await self._membership(Capability.REMOVE_USER).remove(user.id, reason)

    async def ban_user(self, user: UserRef, reason: str | None = None) -> None:
        """Ban ``user`` from the community (they can no longer knock or join)."""
        await self._membership(Capability.REMOVE_USER).ban(user.id, reason)

    async def delete_message(self, ref: MessageRef) -> None:
        response = await self.client.room_redact(ref.chat.id, ref.id)
        if not isinstance(response, RoomRedactResponse):
            raise to_error(response)


def _tx(key: str | None, part: str) -> str | None:
    """The transaction id of one event of an outbox row: the row's key, plus which part."""
    if key is None:
        return None
    return f"{key}-{part}" if part else key
