"""The Matrix adapter (matrix-nio): the only package besides ``telegram*`` with chat-library imports.

Modules: :mod:`.platform` (the :class:`MatrixPlatform` itself), :mod:`.session` (login,
sync loop, confirming sync tokens), :mod:`.events` (Matrix JSON to copbot events),
:mod:`.render` (copbot messages to Matrix content, numbered buttons), :mod:`.direct`
(direct chats), :mod:`.membership` (the community's rooms: invitations, kicks, bans),
:mod:`.limits` (pacing after ``M_LIMIT_EXCEEDED``), :mod:`.errors` and :mod:`.store`
(the adapter's files).
"""

from __future__ import annotations

from bot.platforms.matrix.platform import MatrixPlatform

__all__ = ["MatrixPlatform"]
