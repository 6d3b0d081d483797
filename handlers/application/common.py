"""What the application's conversation and review share: the form, answers as text, speaking to others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from bot.catalogs import LOCALES_DIR
from bot.core.errors import UnsupportedCapability
from bot.core.formats import Formats
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.text import Text, fill
from bot.core.types import Recipient, UserRef
from bot.forms import Form
from bot.forms.display import show_value, summary_lines, title_of
from bot.services import Ctx
from handlers.application.form import application_form
from storage.application.draft_cache import Draft
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application

#: Button namespaces: the applicant's form, and the moderators' review.
FORM_BUTTONS = "apply"
REVIEW_BUTTONS = "review"
#: The payload of the deep link that opens the form: ``/start apply``, which Telegram's
#: ``https://t.me/<bot>?start=apply`` makes the client send.
DEEP_LINK = "apply"

#: How each application status is named to people (``/application``, ``/stats``).
STATUS_NAMES = {
    Status.DRAFT.value: N_("being filled in"),
    Status.SUBMITTED.value: N_("waiting for a decision"),
    Status.NEEDS_CHANGES.value: N_("changes requested"),
    Status.APPROVED.value: N_("approved"),
    Status.REJECTED.value: N_("rejected"),
    Status.CANCELLED.value: N_("cancelled"),
    Status.EXPIRED.value: N_("expired"),
}

Say = Callable[..., Text]
log = logging.getLogger(__name__)

__all__ = [
    "DEEP_LINK",
    "FORM_BUTTONS",
    "REVIEW_BUTTONS",
    "STATUS_NAMES",
    "Say",
    "admit",
    "answers_of",
    "command",
    "form_of",
    "review_recipients",
    "show_value",
    "speaker",
    "summary_lines",
    "terms_text",
    "title_of",
]


def form_of(ctx: Ctx) -> Form:
    """The application form this deployment uses."""
    return application_form(ctx.services.settings.application_form)


async def review_recipients(ctx: Ctx) -> list[tuple[Recipient, str]]:
    """Where review notices go, each with the language to write in.

    A platform with a moderators' chat gets one message there, in the default language;
    on a platform without one (the console), every moderator and admin is written to
    directly, in their own language.
    """
    catalogs = ctx.services.catalogs
    found: list[tuple[Recipient, str]] = [
        (platform.moderator_chat, catalogs.default)
        for platform in ctx.platforms.values()
        if platform.moderator_chat is not None
    ]
    if all(platform.moderator_chat is not None for platform in ctx.platforms.values()):
        return found  # no one to write to directly: the reviewers need not be looked up
    for user, locale in await ctx.services.repo(ApplicationRepository).reviewers(
        ctx.services.settings.admins
    ):
        platform = ctx.platforms.get(user.platform)
        if platform is not None and platform.moderator_chat is None:
            found.append((user, catalogs.choose(locale, user.language)))
    return found


def answers_of(form: Form, application: Application | Draft) -> dict[str, Any]:
    """The stored answers to steps the form still has (answers to removed steps are dropped)."""
    return form.known(application.answers)


def speaker(ctx: Ctx, locale: str) -> Say:
    """``say(msgid, **values)`` in another person's language (the applicant, a moderator)."""
    translator = ctx.services.catalogs.translator(locale)
    formats = Formats(translator.locale)

    def say(msgid: str, /, **values: Any) -> Text:
        filled = {name: formats.value(value) for name, value in values.items()}
        return fill(translator.gettext(msgid), filled, rtl=formats.rtl or None)

    return say


def command(ctx: Ctx, platform: str, name: str) -> str:
    """Command ``name`` as typed on ``platform`` (``/help`` or ``!help``)."""
    found = ctx.platforms.get(platform)
    return f"{found.command_prefix if found else '/'}{name}"


async def admit(platform: Platform, user: UserRef) -> None:
    """Let ``user`` into the community where the platform can (the console prints ``(joined)``)."""
    try:
        await platform.admit_user(user)
    except UnsupportedCapability:
        log.info("the %s platform cannot admit users; %s was told in a message", platform.name, user.key)


def terms_text(ctx: Ctx, locale: str) -> str:
    """The Terms of Reference: ``COPBOT_TERMS_FILE``, else the shipped file in ``locale``."""
    configured = ctx.services.settings.terms_file
    if configured is not None:
        return _read(configured)
    for candidate in (locale, ctx.services.catalogs.default, "en"):
        path = LOCALES_DIR / candidate / "terms.md"
        if path.is_file():
            return _read(path)
    return ""


@cache  # read once per process: replacing the file takes a restart, like any setting
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()
