"""Platform adapters: the only code that talks to a chat platform.

Each adapter declares itself with a :class:`~bot.platforms.spec.PlatformSpec` (its name,
library, settings group, user ids and adapter class), and :data:`SPECS` lists them:
everything else that needs the platforms (the configuration, the architecture test)
derives them from here. ``console`` is the local, in-process platform used by the
embedded default, the CLI's ``chat`` command and the tests; ``telegram`` and ``matrix``
are the only packages allowed to import python-telegram-bot and matrix-nio, and they are
imported only when configured.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.platform import Platform
from bot.platforms.console import CONSOLE
from bot.platforms.matrix import MATRIX
from bot.platforms.spec import PlatformSpec, UserIdForm
from bot.platforms.telegram import TELEGRAM

#: Every platform copbot has an adapter for, in the order people are told about them.
SPECS: tuple[PlatformSpec, ...] = (CONSOLE, TELEGRAM, MATRIX)
#: The chat platforms: those run when their settings group is set.
CHAT_SPECS: tuple[PlatformSpec, ...] = tuple(spec for spec in SPECS if spec.is_chat_platform)


def configured_platforms(settings: BaseModel) -> list[Platform]:
    """The adapters of every chat platform configured in ``settings`` (``bot.config.Settings``)."""
    return [spec.build(settings) for spec in CHAT_SPECS if spec.group_of(settings) is not None]


__all__ = ["CHAT_SPECS", "SPECS", "PlatformSpec", "UserIdForm", "configured_platforms"]
