"""Outgoing Matrix content: text, threads, replies, edits and numbered buttons.

Every event the bot sends carries a plain ``body`` and an HTML ``formatted_body``
rendered by :func:`bot.core.text.to_html`, which escapes every span: nothing a user
wrote can become markup. Matrix has no inline buttons, so a keyboard is shown as a
numbered list under the message and :class:`Keyboards` turns a reply that is just a
number back into the button's payload. Nothing here does I/O.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from typing import Any

from bot.core.text import Text, bidi_label, to_html, to_plain
from bot.core.types import Button

#: ``3`` or ``#3``: a press of button 3 of the keyboard the reply is about.
_NUMBER = re.compile(r"#?(\d{1,3})")
#: Keyboards remembered by event id, for replies to an older message's list.
_REMEMBERED = 2_000

Content = dict[str, Any]


def message_content(
    text: Text,
    buttons: tuple[tuple[Button, ...], ...] = (),
    *,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> Content:
    """The content of an ``m.room.message`` event.

    Args:
        text: the message.
        buttons: rows of buttons, shown as a numbered list.
        thread_root: the root event of the thread the message goes in, if any.
        reply_to: the event the message answers, if any.
    """
    labels = [bidi_label(button.label) for row in buttons for button in row]
    body = to_plain(text)
    formatted = to_html(text).replace("\n", "<br/>")
    if labels:
        body += "\n\n" + "\n".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))
        formatted += (
            "<ol>" + "".join(f"<li>{html.escape(label, quote=False)}</li>" for label in labels) + "</ol>"
        )
    content: Content = {
        "msgtype": "m.text",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
    }
    if thread_root is not None:
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread_root,
            # Clients without threads show the message as a reply to the root.
            "is_falling_back": reply_to is None,
            "m.in_reply_to": {"event_id": reply_to or thread_root},
        }
    elif reply_to is not None:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def edit_content(original: str, new: Content) -> Content:
    """The content of an ``m.replace`` edit of event ``original`` to ``new``."""
    replacement = {key: value for key, value in new.items() if key != "m.relates_to"}
    return {
        "msgtype": new["msgtype"],
        "body": f"* {new['body']}",
        "format": new["format"],
        "formatted_body": f"* {new['formatted_body']}",
        "m.new_content": replacement,
        "m.relates_to": {"rel_type": "m.replace", "event_id": original},
    }


def file_content(msgtype: str, filename: str, url: str, media_type: str, size: int) -> Content:
    """The content of an ``m.file`` or ``m.image`` event for an uploaded file."""
    return {
        "msgtype": msgtype,
        "body": filename,
        "filename": filename,
        "url": url,
        "info": {"mimetype": media_type, "size": size},
    }


class Keyboards:
    """The numbered buttons the bot showed, to read a number sent back as a press.

    A direct chat has one current keyboard: the last message the bot sent there decides
    (a message without buttons clears it, so a number answering a later question stays
    text). In any room, a reply to a message with buttons uses that message's list.
    """

    def __init__(self) -> None:
        self._current: dict[str, list[str]] = {}
        self._by_event: OrderedDict[str, list[str]] = OrderedDict()

    def shown(self, room_id: str, event_id: str, buttons: tuple[tuple[Button, ...], ...]) -> None:
        """Record a message the bot sent to ``room_id`` (with or without buttons)."""
        payloads = [button.payload for row in buttons for button in row]
        if not payloads:
            self._current.pop(room_id, None)
            return
        self._current[room_id] = payloads
        self._by_event[event_id] = payloads
        while len(self._by_event) > _REMEMBERED:
            self._by_event.popitem(last=False)

    def chosen(self, event_id: str, number: int) -> str | None:
        """The payload of option ``number`` of the bot's message ``event_id``, if it has one."""
        payloads = self._by_event.get(event_id)
        return payloads[number - 1] if payloads is not None and 1 <= number <= len(payloads) else None

    def press(self, room_id: str, text: str, reply_to: str | None, is_direct: bool) -> str | None:
        """The payload a message presses, or ``None`` if it is ordinary text."""
        match = _NUMBER.fullmatch(text.strip())
        if match is None:
            return None
        if reply_to is not None and reply_to in self._by_event:
            payloads: list[str] | None = self._by_event[reply_to]
        else:
            payloads = self._current.get(room_id) if is_direct else None
        number = int(match.group(1))
        if payloads is None or not 1 <= number <= len(payloads):
            return None
        return payloads[number - 1]
