"""A Telegram update with text no database stores becomes a clean core event."""

from __future__ import annotations

import json

from telegram import Update

from bot.core.text_safety import REPLACEMENT
from bot.core.types import IncomingMessage
from bot.platforms.telegram.updates import event_of

#: JSON as a client may send it: lone surrogates and NUL are valid JSON escapes.
RAW = (
    '{"update_id": 7, "message": {"message_id": 5, "date": 1700000000,'
    ' "chat": {"id": 42, "type": "private"},'
    ' "from": {"id": 42, "is_bot": false, "first_name": "Eve\\ud800", "last_name": "\\u0000X",'
    ' "username": "eve\\u0000", "language_code": "es"},'
    ' "text": "hi\\u0000 there\\udfff"}}'
)


def test_lone_surrogates_and_nul_are_cleaned_where_the_update_becomes_an_event() -> None:
    event = event_of(Update.de_json(json.loads(RAW), None))
    assert isinstance(event, IncomingMessage)
    assert event.sender.display_name == f"Eve{REPLACEMENT} X"
    assert event.sender.username == "eve"
    assert event.text == f"hi there{REPLACEMENT}"
    event.sender.display_name.encode("utf-8")
