"""What the bot's Matrix account posted, read back from Synapse's client API.

The failover test checks on the homeserver itself, not in the bot's database, that each
Matrix member got a broadcast once and that a prompt's thread root exists once: what a
member's client would show. The bot's own access token reads its rooms' timelines; a
member who never joined a direct chat still counts (an invited member sees it on joining).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from tests.platforms.matrix.synapse import Synapse

Source = dict[str, Any]


def timeline(synapse: Synapse, token: str, room_id: str) -> list[Source]:
    """Every event of ``room_id``, oldest first."""
    events: list[Source] = []
    start: str | None = None
    while True:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=500"
        if start is not None:
            path += f"&from={quote(start)}"
        page = synapse.request("GET", path, token=token)
        events.extend(page.get("chunk", []))
        start = page.get("end")
        if not page.get("chunk") or start is None:
            break
    events.reverse()
    return events


def posted(events: list[Source], sender: str, body: str) -> list[Source]:
    """The messages ``sender`` posted whose body contains ``body``."""
    return [
        event
        for event in events
        if event.get("type") == "m.room.message"
        and event.get("sender") == sender
        and body in str(event.get("content", {}).get("body", ""))
    ]


def thread_roots(events: list[Source], sender: str, body: str) -> list[Source]:
    """The messages of ``sender`` containing ``body`` that are no reply or edit: thread roots."""
    return [event for event in posted(events, sender, body) if "m.relates_to" not in event.get("content", {})]


def _others(synapse: Synapse, token: str, room_id: str, bot_user: str) -> set[str]:
    """Who else is in ``room_id``, joined or invited."""
    answer = synapse.request("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/members", token=token)
    return {
        str(event["state_key"])
        for event in answer.get("chunk", [])
        if event.get("state_key") != bot_user
        and event.get("content", {}).get("membership") in ("join", "invite")
    }


def received_in_direct_chats(
    synapse: Synapse, token: str, bot_user: str, body: str, skip: set[str]
) -> Counter[str]:
    """How many messages containing ``body`` each person got from the bot, in rooms of two.

    Args:
        skip: rooms not to count (the community and moderators' rooms).
    """
    counts: Counter[str] = Counter()
    rooms = synapse.request("GET", "/_matrix/client/v3/joined_rooms", token=token)["joined_rooms"]
    for room_id in rooms:
        if room_id in skip:
            continue
        others = _others(synapse, token, room_id, bot_user)
        if len(others) != 1:
            continue
        [person] = others
        counts[person] += len(posted(timeline(synapse, token, room_id), bot_user, body))
    return counts
