"""Platform adapters: the only code that talks to a chat platform.

``console`` is the local, in-process platform used by the embedded default, the CLI's
``chat`` command and the tests. ``telegram`` and ``matrix`` are the only modules allowed
to import python-telegram-bot and matrix-nio.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.platform import Platform

#: Each chat platform's adapter class, imported only when the platform is configured.
ADAPTERS = {
    "telegram": "bot.platforms.telegram.platform:TelegramPlatform",
    "matrix": "bot.platforms.matrix:MatrixPlatform",
}


def configured_platforms(settings: Settings) -> list[Platform]:
    """The adapters of every configured chat platform, built from their settings.

    An adapter class takes its settings group and the whole settings (for the files
    folder and the like): ``TelegramPlatform(settings.telegram, settings)``.
    """
    platforms: list[Platform] = []
    for name in settings.chat_platforms:
        module, _, cls = ADAPTERS[name].partition(":")
        adapter = getattr(import_module(module), cls)
        platforms.append(adapter(getattr(settings, name), settings))
    return platforms
