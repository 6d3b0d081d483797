"""The community's rooms and who is in them: joining, invitations, kicks and bans.

The community is a room, or a space with rooms. For a space, the bot joins the space and
its first room (by ``order``), where dialogues are posted; knocks, invitations, kicks and
bans apply to both, since members of a space usually enter its rooms through it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nio import (
    AsyncClient,
    JoinResponse,
    RoomBanResponse,
    RoomGetStateEventResponse,
    RoomGetStateResponse,
    RoomInviteResponse,
    RoomKickResponse,
    RoomUnbanResponse,
)

from bot.core.errors import ConfigurationError
from bot.platforms.matrix.errors import to_error

log = logging.getLogger(__name__)


async def join(client: AsyncClient, room: str) -> str:
    """Join a configured room (id or alias) and return its id.

    Raises:
        ConfigurationError: the bot cannot join (not invited, no such room).
    """
    response = await client.join(room)
    if not isinstance(response, JoinResponse):
        raise ConfigurationError(f"the Matrix bot cannot join {room}: {response}")
    return str(response.room_id)


@dataclass(frozen=True, slots=True)
class Community:
    """Where the community is on a homeserver.

    Attributes:
        rooms: where membership is managed: the room, or the space and its room.
        room: where dialogues are posted.
    """

    rooms: tuple[str, ...]
    room: str


async def find_community(client: AsyncClient, configured: str) -> Community:
    """Join the configured community room or space (and the space's first room).

    Raises:
        ConfigurationError: the bot cannot join, or the space has no room.
    """
    room_id = await join(client, configured)
    created = await client.room_get_state_event(room_id, "m.room.create")
    if not (isinstance(created, RoomGetStateEventResponse) and created.content.get("type") == "m.space"):
        return Community((room_id,), room_id)
    state = await client.room_get_state(room_id)
    children = sorted(
        (str(event.get("content", {}).get("order", "")), str(event["state_key"]))
        for event in (state.events if isinstance(state, RoomGetStateResponse) else [])
        if event.get("type") == "m.space.child" and event.get("content", {}).get("via")
    )
    if not children:
        raise ConfigurationError(
            f"COPBOT_MATRIX__COMMUNITY_ROOM {configured} is a space without rooms: add the "
            "room where dialogues are posted to it, or name that room instead"
        )
    room = await join(client, children[0][1])
    log.info("the community space %s posts dialogues in its room %s", room_id, room)
    return Community((room_id, room), room)


class Membership:
    """Invitations, kicks and bans in the community's rooms (and the moderators' room).

    Args:
        client: the logged-in client.
        community: the community's rooms.
        moderator_room: the moderators' room, if any (a removed member leaves it too).
    """

    def __init__(self, client: AsyncClient, community: Community, moderator_room: str | None) -> None:
        self.client = client
        self.community = community
        self.moderator_room = moderator_room

    async def admit(self, user_id: str) -> None:
        """Invite ``user_id`` (accepting a knock is inviting); someone banned before is unbanned."""
        for room_id in self.community.rooms:
            response = await self.client.room_invite(room_id, user_id)
            if not isinstance(response, RoomInviteResponse) and "banned" in str(response):
                unbanned = await self.client.room_unban(room_id, user_id)
                if not isinstance(unbanned, RoomUnbanResponse):
                    raise to_error(unbanned)
                response = await self.client.room_invite(room_id, user_id)
            if not isinstance(response, RoomInviteResponse) and "already in the room" not in str(response):
                raise to_error(response)

    async def remove(self, user_id: str, reason: str | None) -> None:
        """Kick ``user_id`` from the community (and the moderators' room, if there)."""
        for room_id in self.community.rooms:
            await self._kick(room_id, user_id, reason)
        await self._leave_moderators(user_id, reason)

    async def ban(self, user_id: str, reason: str | None) -> None:
        """Ban ``user_id`` from the community: they can no longer knock or join."""
        for room_id in self.community.rooms:
            response = await self.client.room_ban(room_id, user_id, reason)
            if not isinstance(response, RoomBanResponse):
                raise to_error(response)
        await self._leave_moderators(user_id, reason)

    async def _leave_moderators(self, user_id: str, reason: str | None) -> None:
        if self.moderator_room is None:
            return
        known = self.client.rooms.get(self.moderator_room)
        if known is not None and (user_id in known.users or user_id in known.invited_users):
            await self._kick(self.moderator_room, user_id, reason)

    async def _kick(self, room_id: str, user_id: str, reason: str | None) -> None:
        response = await self.client.room_kick(room_id, user_id, reason)
        if not isinstance(response, RoomKickResponse) and "not in the room" not in str(response):
            raise to_error(response)
