"""Which thread each recent event belongs to, so an edit or an option's reply lands in it.

A Matrix edit (``m.replace``) and a reaction name the event they change, not its thread;
the bot remembers the thread of the events it saw or sent lately and asks the homeserver
only about older ones.
"""

from __future__ import annotations

from collections import OrderedDict

from nio import AsyncClient, RoomGetEventResponse

from bot.platforms.matrix.events import relation

#: Thread roots remembered per event, to put an edit in its thread without a lookup.
REMEMBERED = 5_000


class ThreadMemory:
    """The thread root (or ``None``) of the last :data:`REMEMBERED` events seen or sent."""

    def __init__(self) -> None:
        self._roots: OrderedDict[str, str | None] = OrderedDict()

    def get(self, event_id: str) -> str | None:
        """The remembered thread of ``event_id`` (``None``: none, or not remembered)."""
        return self._roots.get(event_id)

    def remember(self, event_id: str, root: str | None) -> None:
        self._roots[event_id] = root
        while len(self._roots) > REMEMBERED:
            self._roots.popitem(last=False)

    async def root(self, client: AsyncClient, room_id: str, event_id: str) -> str | None:
        """The thread root of ``event_id``, from memory or else from the homeserver."""
        if event_id in self._roots:
            return self._roots[event_id]
        response = await client.room_get_event(room_id, event_id)
        if not isinstance(response, RoomGetEventResponse):
            return None
        content = response.event.source.get("content", {})
        root = relation(content).thread_root if isinstance(content, dict) else None
        self.remember(event_id, root)
        return root
