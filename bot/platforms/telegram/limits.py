"""The Bot API's published limits, as the adapter declares them to the rest of copbot.

The outbox paces every platform to its adapter's
:attr:`~bot.core.platform.Platform.rate_limits`; Telegram's are documented rather than
learnt from refusals (compare Matrix's :mod:`bot.platforms.matrix.limits`). This module
imports no chat library, so a benchmark can pace a fake platform to Telegram's limits.
"""

from __future__ import annotations

from bot.core.pacing import RateLimits

#: About 30 messages per second overall, one per second to a chat, 20 per minute to a group.
BOT_API_LIMITS = RateLimits(per_second=30.0, chat_interval=1.0, group_per_minute=20)
#: The longest text one message may carry, in characters (after entity parsing).
MESSAGE_LIMIT = 4096
#: The longest name a forum topic may have.
TOPIC_NAME_LIMIT = 128
