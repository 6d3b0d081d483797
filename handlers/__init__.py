"""Platform-neutral features, one package each; nothing here imports a platform library.

Each feature's ``__init__.py`` declares what it brings (:class:`bot.features.Feature`).
:data:`FEATURES` below is the one place that says which features the bot has, in the
order their routes are tried and their sample data is loaded.
"""

from __future__ import annotations

from bot.core.router import Router
from bot.features import Feature, root_router
from handlers import application, basics, dialogues, directory, members, site, wiki

FEATURES: tuple[Feature, ...] = (
    basics.FEATURE,
    application.FEATURE,
    dialogues.FEATURE,
    wiki.FEATURE,
    members.FEATURE,
    directory.FEATURE,
    site.FEATURE,
)


def build_router(features: tuple[Feature, ...] = FEATURES) -> Router:
    """The bot's root router, with every feature's routes."""
    return root_router(features)
