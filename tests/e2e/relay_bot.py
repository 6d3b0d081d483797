"""``copbot run`` with Telegram's per-chat and per-group pacing lifted, for the relay e2e test.

The outbox paces Telegram to the Bot API's published limits (``BOT_API_LIMITS``): one
message a second to a chat and 20 a minute to a group. Fifty relayed copies into one
forum topic would take two and a half minutes at that pace, and the fake Bot API the
test runs against enforces no limits, so this launcher keeps the overall 30/s and drops
the other two. Everything else is the production ``copbot run``.

Usage: ``python -m tests.e2e.relay_bot run`` (the arguments of ``copbot``).
"""

from __future__ import annotations

from bot.cli import main
from bot.core.pacing import RateLimits
from bot.platforms.telegram.platform import TelegramPlatform

#: The Bot API's overall limit, without the per-chat and per-group ones.
LIFTED = RateLimits(per_second=30.0)

if __name__ == "__main__":
    TelegramPlatform.rate_limits = LIFTED
    main()
