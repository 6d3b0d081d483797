"""Exceptions raised by the copbot core.

The tree::

    CopbotError
    ├── ConfigurationError          the settings cannot be used; the program stops
    ├── PlatformError               a platform failed to do what was asked
    │   ├── UnsupportedCapability   the platform cannot do this at all
    │   ├── RecipientUnreachable    the recipient blocked the bot or left
    │   └── RateLimited             the platform asked us to wait ``retry_after`` seconds
    └── UserFacingError             a handler refuses a request; ``msgid`` is shown to the user

Handlers raise :class:`UserFacingError` to answer with a localized message and abort the
current unit of work (nothing it wrote is kept). Any other exception escaping a handler
is captured by the error middleware, logged with an error id and answered with an apology.
"""

from __future__ import annotations

from typing import Any


class CopbotError(Exception):
    """Base class of every copbot exception."""


class ConfigurationError(CopbotError):
    """The configuration is invalid; the message is a paragraph meant for a human."""


class PlatformError(CopbotError):
    """A chat platform could not carry out a request."""


class UnsupportedCapability(PlatformError):
    """The platform does not offer an optional capability.

    Args:
        platform: the platform's name.
        capability: the capability that was asked for.
    """

    def __init__(self, platform: str, capability: str) -> None:
        super().__init__(f"the {platform} platform cannot {capability}")
        self.platform = platform
        self.capability = capability


class RecipientUnreachable(PlatformError):
    """The recipient cannot be reached (blocked the bot, left, or does not exist)."""


class ThreadGone(PlatformError):
    """The thread a message was for no longer takes messages (deleted or closed); its chat still does."""


class RateLimited(PlatformError):
    """The platform asks to retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.3f}s")
        self.retry_after = retry_after


class UserFacingError(CopbotError):
    """A refusal that the user should read, in their language.

    Args:
        msgid: the gettext message id (mark it with ``N_`` so it is extracted).
        values: placeholder values for the translated message.
    """

    def __init__(self, msgid: str, **values: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values
