"""The platforms' command menus, published at start and when a late platform joins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.core.errors import PlatformError
from bot.core.platform import Capability, Platform
from bot.core.types import CommandMenu

log = logging.getLogger(__name__)

#: Makes every menu in every language (it reads the catalogs: called when menus are published).
MenuMaker = Callable[[], list[CommandMenu]]


async def publish_command_menus(make: MenuMaker, platforms: Sequence[Platform]) -> None:
    """Give every platform that has one its command menus (a failure costs only the menu)."""
    menus = make()
    for platform in platforms:
        if not platform.supports(Capability.COMMAND_MENU):
            continue
        for menu in menus:
            try:
                await platform.set_command_menu(menu)
            except PlatformError as error:
                log.warning("the %s command menu for %s was not set: %s", platform.name, menu.scope, error)


async def publish_command_menus_later(make: MenuMaker, platforms: Sequence[Platform]) -> None:
    """:func:`publish_command_menus` as a background task: a bug costs the menus, not the bot."""
    try:
        await publish_command_menus(make, platforms)
    except Exception:
        log.exception("the command menus were not published")
