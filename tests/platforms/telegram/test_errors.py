"""Bot API errors as the core's: who is gone, which thread is gone, what is only a failure."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden

from bot.core.errors import PlatformError, RecipientUnreachable, ThreadGone
from bot.platforms.telegram.errors import converted


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), RecipientUnreachable),
        (BadRequest("Bad Request: chat not found"), RecipientUnreachable),
        (BadRequest("Bad Request: message thread not found"), ThreadGone),
        (BadRequest("Bad Request: TOPIC_CLOSED"), ThreadGone),
        (BadRequest("Bad Request: can't parse entities"), PlatformError),
    ],
)
async def test_bad_requests_say_what_is_gone(error: Exception, expected: type[PlatformError]) -> None:
    with pytest.raises(PlatformError) as raised:
        async with converted():
            raise error
    assert type(raised.value) is expected
