"""The Telegram adapter (python-telegram-bot), declared as :data:`TELEGRAM`.

* :mod:`~bot.platforms.telegram.platform` — the :class:`TelegramPlatform` port: life cycle, sending, threads.
* :mod:`~bot.platforms.telegram.polling` — long polling that confirms only handled updates.
* :mod:`~bot.platforms.telegram.webhook` — webhook mode's small aiohttp server.
* :mod:`~bot.platforms.telegram.updates` — Bot API updates to core events, and offsets that lose nothing.
* :mod:`~bot.platforms.telegram.membership` — the community group's door: join requests, invite links, bans.
* :mod:`~bot.platforms.telegram.render` — copbot messages and menus as Bot API arguments.
* :mod:`~bot.platforms.telegram.errors` — Bot API errors as the core's error tree.
* :mod:`~bot.platforms.telegram.limits` and :mod:`~bot.platforms.telegram.settings` — the Bot
  API's published limits and ``COPBOT_TELEGRAM__*``; neither imports python-telegram-bot, nor
  does this module.
"""

from __future__ import annotations

from bot.platforms.spec import PlatformSpec, UserIdForm
from bot.platforms.telegram.settings import TelegramSettings, is_telegram_user_id

TELEGRAM = PlatformSpec(
    name="telegram",
    package="bot.platforms.telegram",
    adapter="bot.platforms.telegram.platform:TelegramPlatform",
    library="telegram",
    settings=TelegramSettings,
    user_ids=UserIdForm(
        example="telegram:12345",
        accepts=is_telegram_user_id,
        problem="{value!r}: Telegram user ids are numbers, such as {example}",
    ),
)

__all__ = ["TELEGRAM"]
