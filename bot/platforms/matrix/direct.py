"""Direct chats: which room is the bot's private chat with whom.

Matrix has no direct chat type: a direct chat is a room created with ``is_direct`` and
listed in the ``m.direct`` account data, which clients (not servers) keep. The bot reads
``m.direct`` at start, adds the rooms it opens or is invited to, and reuses the room a
person wrote from. It opens a room (encrypted when it can encrypt, as Element does) only
when it has none with that person in which they still are, after reading ``m.direct``
again: with several instances, another may have opened one since (a message it had in
flight when it died, sent again here, must go to the same room to be recognised).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, ProfileGetError, RoomCreateResponse, RoomPreset

from bot.core.errors import RateLimited, RecipientUnreachable
from bot.platforms.matrix.errors import http_status, to_error

log = logging.getLogger(__name__)

ENCRYPTION: dict[str, Any] = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class DirectChats:
    """The bot's direct chats.

    Args:
        client: the logged-in client.
        catch_up: brings the client's rooms up to date (a sync) before ``m.direct`` is
            read again; nothing by default.
    """

    def __init__(self, client: AsyncClient, catch_up: Callable[[], Awaitable[None]] | None = None) -> None:
        self.client = client
        self.catch_up = catch_up
        #: Every room known to be a direct chat.
        self.rooms: set[str] = set()
        self._by_user: dict[str, str] = {}
        self._account: dict[str, list[str]] = {}  # m.direct as the account has it
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self) -> None:
        """Read ``m.direct`` (after the first sync, so joined rooms are known)."""
        response = await self.client.list_direct_rooms()
        rooms = getattr(response, "rooms", None)
        if not isinstance(rooms, dict):
            return  # no m.direct yet
        for user_id, room_ids in rooms.items():  # what another session wrote, and ours
            known = self._account.setdefault(user_id, [])
            known.extend(room_id for room_id in room_ids if room_id not in known)
        for user_id, room_ids in rooms.items():
            self.rooms.update(room_ids)
            joined = [room_id for room_id in room_ids if room_id in self.client.rooms]
            if joined and self._usable(user_id) is None:
                self._by_user[user_id] = joined[-1]

    def seen(self, user_id: str, room_id: str) -> None:
        """``user_id`` wrote in direct chat ``room_id``: answer them there."""
        self._by_user.setdefault(user_id, room_id)

    async def joined(self, user_id: str, room_id: str) -> None:
        """The bot accepted ``user_id``'s invitation to direct chat ``room_id``."""
        self._by_user[user_id] = room_id
        self.rooms.add(room_id)
        await self._save()

    async def room_for(self, user_id: str) -> str:
        """The direct chat with ``user_id``: the known one, else a new one.

        Raises:
            RecipientUnreachable: the user does not exist or cannot be invited.
            RateLimited: the homeserver asks to wait.
        """
        async with self._locks.setdefault(user_id, asyncio.Lock()):
            room_id = self._usable(user_id)
            if room_id is None:  # perhaps opened since by another instance
                if self.catch_up is not None:
                    await self.catch_up()
                await self.load()
                room_id = self._usable(user_id)
            if room_id is not None:
                return room_id
            # Synapse lets a room invite someone who does not exist; the profile tells.
            profile = await self.client.get_profile(user_id)
            if isinstance(profile, ProfileGetError) and http_status(profile) == 404:
                raise RecipientUnreachable(f"{user_id} does not exist")
            response = await self.client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=RoomPreset.trusted_private_chat,
                initial_state=[ENCRYPTION] if self.client.olm is not None else [],
            )
            if not isinstance(response, RoomCreateResponse):
                error = to_error(response)
                raise error if isinstance(error, RateLimited) else RecipientUnreachable(str(response))
            room_id = str(response.room_id)
            self._by_user[user_id] = room_id
            self.rooms.add(room_id)
            await self._save()
            return room_id

    def _usable(self, user_id: str) -> str | None:
        """The known direct chat with ``user_id``, unless they left it."""
        room_id = self._by_user.get(user_id)
        room = self.client.rooms.get(room_id) if room_id else None
        if room_id and (room is None or user_id in room.users or user_id in room.invited_users):
            return room_id
        return None

    async def _save(self) -> None:
        """Write ``m.direct``, keeping what other sessions recorded."""
        for user_id, room_id in self._by_user.items():
            rooms = self._account.setdefault(user_id, [])
            if room_id not in rooms:
                rooms.append(room_id)
        path = f"/_matrix/client/v3/user/{quote(self.client.user_id)}/account_data/m.direct"
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        response = await self.client.send("PUT", path, json.dumps(self._account), headers)
        if response.status != 200:
            log.warning("could not write m.direct: HTTP %d", response.status)
        response.release()
