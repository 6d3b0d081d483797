"""Outgoing messages as database rows: the recipient in columns, the rest as JSON.

Shared by the tables that keep messages until a platform confirmed them: the durable
outbox (``outbox``) and the journal of interactive replies (``pending_replies``).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.core.text import Span, Style, Text
from bot.core.types import Button, ChatRef, OutgoingMessage, UserRef

#: ``recipient_kind`` of a message to a user (a direct message) and to a chat or thread.
USER, CHAT = "user", "chat"


def recipient_columns(message: OutgoingMessage) -> dict[str, Any]:
    """The columns that say where ``message`` goes."""
    to = message.to
    return {
        "platform": to.platform,
        "recipient_kind": USER if isinstance(to, UserRef) else CHAT,
        "recipient_id": to.id,
        "thread_id": to.thread_id if isinstance(to, ChatRef) else None,
    }


def encode(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON payload of a message (its recipient is stored in columns).

    Raises:
        ValueError: the message has attachments (files are not kept in the database).
    """
    if message.attachments:
        raise ValueError("stored messages carry text and buttons, not attachments")
    return {
        "text": encode_text(message.text),
        "buttons": [[[button.label, button.payload] for button in row] for row in message.buttons],
        "reply_to": message.reply_to,
    }


def encode_text(text: Text) -> list[list[Any]]:
    """Rich text as JSON: one ``[text, style, url]`` per span."""
    return [[span.text, span.style.value, span.url] for span in text.spans]


def decode_text(spans: list[list[Any]]) -> Text:
    """The rich text :func:`encode_text` wrote."""
    return Text(tuple(Span(text, Style(style), url) for text, style, url in spans))


class StoredMessage(Protocol):
    """A row that keeps a message: an ``outbox`` row or a ``pending_replies`` row."""

    @property
    def platform(self) -> str: ...
    @property
    def recipient_kind(self) -> str: ...
    @property
    def recipient_id(self) -> str: ...
    @property
    def thread_id(self) -> str | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def idempotency_key(self) -> str: ...


def decode(row: StoredMessage) -> OutgoingMessage:
    """The message a row stands for (see :func:`recipient_columns` and :func:`encode`), with its key."""
    to: UserRef | ChatRef
    if row.recipient_kind == USER:
        to = UserRef(row.platform, row.recipient_id)
    else:
        to = ChatRef(row.platform, row.recipient_id, row.thread_id)
    payload = row.payload
    return OutgoingMessage(
        to=to,
        text=decode_text(payload["text"]),
        buttons=tuple(tuple(Button(label, data) for label, data in line) for line in payload["buttons"]),
        reply_to=payload.get("reply_to"),
        idempotency_key=row.idempotency_key,
    )
