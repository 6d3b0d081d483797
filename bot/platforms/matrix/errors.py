"""matrix-nio error responses to copbot errors."""

from __future__ import annotations

from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable


def to_error(response: object) -> PlatformError:
    """The copbot error for a matrix-nio error response.

    ``M_LIMIT_EXCEEDED`` becomes :class:`RateLimited` (with the server's wait, else 5 s),
    ``M_FORBIDDEN`` :class:`RecipientUnreachable`, anything else :class:`PlatformError`.
    """
    code = getattr(response, "status_code", None)
    if code == "M_LIMIT_EXCEEDED":
        return RateLimited((getattr(response, "retry_after_ms", None) or 5000) / 1000)
    if code == "M_FORBIDDEN":
        return RecipientUnreachable(str(response))
    return PlatformError(str(response))


def http_status(response: object) -> int | None:
    """The HTTP status of a matrix-nio response (error codes vary between servers)."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return status if isinstance(status, int) else None
