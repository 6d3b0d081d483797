"""The Bot API's published limits, as the adapter declares them to the rest of copbot.

The outbox paces every platform to its adapter's
:attr:`~bot.core.platform.Platform.rate_limits`; Telegram's are documented rather than
learnt from refusals (compare Matrix's :mod:`bot.platforms.matrix.limits`). This module
imports no chat library, so a benchmark can pace a fake platform to Telegram's limits.
"""

from __future__ import annotations

from bot.core.pacing import RateLimits
from bot.core.types import FileLimits

#: About 30 messages per second overall, one per second to a chat, 20 per minute to a group.
BOT_API_LIMITS = RateLimits(per_second=30.0, chat_interval=1.0, group_per_minute=20)
#: The longest text one message may carry, in characters (after entity parsing).
MESSAGE_LIMIT = 4096
#: The longest name a forum topic may have.
TOPIC_NAME_LIMIT = 128
#: The longest caption a photo or document may carry, in characters (after entity parsing).
CAPTION_LIMIT = 1024
_MB = 1024 * 1024
#: Bot API files: ``getFile`` fetches up to 20 MB; a bot uploads photos up to 10 MB and
#: other files up to 50 MB (a larger photo goes as a document).
FILE_LIMITS = FileLimits(download=20 * _MB, image=10 * _MB, document=50 * _MB)
