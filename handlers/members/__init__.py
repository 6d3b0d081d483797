"""Members: roles and profiles, bans, announcements and the audit log, privacy, figures.

* :mod:`~handlers.members.roster` — ``/members``, ``/member``, roles and removals.
* :mod:`~handlers.members.bans` — ``/ban`` (confirmed first) and ``/unban`` (and letting back in).
* :mod:`~handlers.members.admin` — ``/announce`` (previewed, then confirmed) and ``/audit``.
* :mod:`~handlers.members.privacy` — ``/mydata`` and ``/forget``.
* :mod:`~handlers.members.announcements` — ``/announcements off|on``: a member's choice.
* :mod:`~handlers.members.linking` — ``/link``, ``/unlink`` and ``/deliver``: one person across platforms.
* :mod:`~handlers.members.stats` — ``/stats``, drawn by :mod:`~handlers.members.charts`.
* :mod:`~handlers.members.reachability` — who blocked the bot, and who came back.
* :mod:`~handlers.members.sample` — the sample community.
"""

from __future__ import annotations

from bot.features import Feature
from handlers.members import admin, announcements, bans, linking, privacy, reachability, roster, stats
from handlers.members.sample import seed_sample_community
from storage.members.link_codes import LinkCodes
from storage.members.linking import LinkedAccounts
from storage.members.privacy import PersonalData
from storage.members.stats import StatsRepository

FEATURE = Feature(
    name="members",
    routers=(
        privacy.router,
        announcements.router,
        linking.router,
        roster.router,
        bans.router,
        admin.router,
        stats.router,
        reachability.router,
    ),
    repositories=(StatsRepository, PersonalData, LinkCodes, LinkedAccounts),
    seed=seed_sample_community,
)
