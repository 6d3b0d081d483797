"""The Matrix adapter (matrix-nio), declared as :data:`MATRIX`.

Modules: :mod:`.platform` (the :class:`~.platform.MatrixPlatform` itself), :mod:`.session`
(login, sync loop, confirming sync tokens), :mod:`.events` (Matrix JSON to copbot events),
:mod:`.render` (copbot messages to Matrix content, numbered buttons), :mod:`.direct`
(direct chats), :mod:`.membership` (the community's rooms: invitations, kicks, bans),
:mod:`.limits` (the pace: declared, and after ``M_LIMIT_EXCEEDED``), :mod:`.errors` and
:mod:`.store` (the adapter's files), :mod:`.settings` (``COPBOT_MATRIX__*``). Neither
this module nor :mod:`.settings` imports matrix-nio.
"""

from __future__ import annotations

from bot.platforms.matrix.settings import MatrixSettings, is_matrix_user_id
from bot.platforms.spec import PlatformSpec, UserIdForm

MATRIX = PlatformSpec(
    name="matrix",
    package="bot.platforms.matrix",
    adapter="bot.platforms.matrix.platform:MatrixPlatform",
    library="nio",
    settings=MatrixSettings,
    user_ids=UserIdForm(
        example="matrix:@alice:example.org",
        accepts=is_matrix_user_id,
        problem="{value!r} is not a Matrix user id such as {example}",
        bare=is_matrix_user_id,
    ),
)

__all__ = ["MATRIX"]
