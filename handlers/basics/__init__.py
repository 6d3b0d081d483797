"""First contact and getting around: ``/start``, ``/help``, ``/language``, and the answers to
what no other feature takes (an unknown command, a message nobody expects, a refusal)."""

from __future__ import annotations

from bot.features import Fallbacks, Feature
from handlers.basics import commands

FEATURE = Feature(
    name="basics",
    routers=(commands.router,),
    fallbacks=Fallbacks(
        unknown_command=commands.unknown_command, unmatched=commands.unmatched, denied=commands.denied
    ),
)
