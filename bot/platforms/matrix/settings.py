"""``COPBOT_MATRIX__*``: the Matrix adapter's settings group.

Kept apart from the adapter so that the configuration reads it without importing
matrix-nio.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr, field_validator, model_validator


def is_matrix_user_id(text: str) -> bool:
    """Whether ``text`` is written as a Matrix user id: ``@localpart:server``."""
    return text.startswith("@") and ":" in text[1:]


class MatrixSettings(BaseModel):
    """``COPBOT_MATRIX__*``: the Matrix bot account. Setting the homeserver turns it on."""

    homeserver: str
    user_id: str
    password: SecretStr | None = None
    access_token: SecretStr | None = None
    device_name: str = "copbot"
    #: The community room (id or alias; a space is welcome too): dialogues are posted there.
    community_room: str | None = None
    #: The moderators' room: new applications and review reminders go there.
    moderator_room: str | None = None
    #: Device keys, access token and sync state.
    store_path: Path = Path("var/matrix")
    #: End-to-end encryption (needs matrix-nio's ``e2e`` extra).
    e2ee: bool = True
    #: The largest file the bot uploads or fetches, in bytes, when the homeserver's
    #: ``/media/config`` does not say (``m.upload.size``); Synapse's default is 50 MB.
    upload_limit: int = 50 * 1024 * 1024

    @field_validator("user_id")
    @classmethod
    def _matrix_id(cls, value: str) -> str:
        if not is_matrix_user_id(value):
            raise ValueError(f"{value!r} is not a Matrix user id such as @copbot:example.org")
        return value

    @model_validator(mode="after")
    def _can_log_in(self) -> MatrixSettings:
        if self.password is None and self.access_token is None:
            raise ValueError("needs COPBOT_MATRIX__PASSWORD or COPBOT_MATRIX__ACCESS_TOKEN")
        return self
