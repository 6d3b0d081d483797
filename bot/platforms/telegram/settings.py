"""``COPBOT_TELEGRAM__*``: the Telegram adapter's settings group.

Kept apart from the adapter so that the configuration reads it without importing
python-telegram-bot.
"""

from __future__ import annotations

from pydantic import BaseModel, SecretStr, field_validator, model_validator


class TelegramSettings(BaseModel):
    """``COPBOT_TELEGRAM__*``: the Telegram bot. Setting the token turns the platform on."""

    token: SecretStr
    #: The Bot API base URL; point it at a local Bot API server (or a test fake).
    api_url: str = "https://api.telegram.org/bot"
    #: The community's forum supergroup: dialogues are posted there as topics.
    community_chat_id: int | None = None
    #: The moderators' group: new applications and review reminders go there.
    moderator_chat_id: int | None = None
    #: Webhook mode when set (the public HTTPS URL Telegram posts to); polling otherwise.
    webhook_url: str | None = None
    #: The secret Telegram sends in ``X-Telegram-Bot-Api-Secret-Token``.
    webhook_secret: SecretStr | None = None
    #: Where the webhook server listens, ``host:port``.
    webhook_listen: str = "127.0.0.1:8443"

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not host:port, such as 127.0.0.1:8443")
        return value

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> TelegramSettings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("webhook mode needs COPBOT_TELEGRAM__WEBHOOK_SECRET too")
        return self


def is_telegram_user_id(user_id: str) -> bool:
    """Whether ``user_id`` is written as Telegram writes ids: a number (groups' are negative)."""
    return user_id.lstrip("-").isdigit()
