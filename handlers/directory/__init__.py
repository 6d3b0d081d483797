"""The member directory: finding peers, with their consent.

* :mod:`~handlers.directory.profile` — ``/profile``: what a member shows, and whether they are listed.
* :mod:`~handlers.directory.listing` — ``/directory``: listed members searched and paged, and introductions.
* :mod:`~handlers.directory.cards` — a profile, started from the approved application, shown in a language.
"""

from __future__ import annotations

from bot.features import Feature
from handlers.directory import listing, profile
from storage.directory.repository import DirectoryRepository

FEATURE = Feature(
    name="directory",
    routers=(profile.router, listing.router),
    repositories=(DirectoryRepository,),
)
