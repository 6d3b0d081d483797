"""The Telegram adapter (python-telegram-bot): with ``matrix``, the only packages with chat-library imports.

* :mod:`~bot.platforms.telegram.platform` — the :class:`TelegramPlatform` port: sending, chats, members.
* :mod:`~bot.platforms.telegram.updates` — Bot API updates to core events, and offsets that lose nothing.
* :mod:`~bot.platforms.telegram.webhook` — webhook mode's small aiohttp server.
"""

from __future__ import annotations

from bot.platforms.telegram.platform import TelegramPlatform

__all__ = ["TelegramPlatform"]
