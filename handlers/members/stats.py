"""``/stats``: the community in figures, as text and as a chart, for moderators.

The figures are read inside the event's transaction (four aggregate queries). Drawing
the chart costs a few hundred milliseconds of CPU, so it happens after the commit, in a
worker thread: the database is not held meanwhile and the event loop keeps answering
others. The text and the image then go out together as one message; if drawing fails,
the text goes alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal

from bot.core.commands import Topic
from bot.core.delivery import deliver
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold
from bot.core.types import Attachment, OutgoingMessage, Recipient, Role
from bot.services import Ctx
from handlers.application.common import STATUS_NAMES
from handlers.members.charts import Panel, render_panels
from storage.dialogues.texts import localized
from storage.members.stats import Count, DialogueReplies, StatsRepository
from storage.regions import territory_name

log = logging.getLogger(__name__)

router = Router("stats")

#: Countries shown by name; the others are summed up.
TOP_COUNTRIES = 10


@router.command(
    "stats",
    role=Role.MODERATOR,
    description=N_("Community figures, as text and as a chart"),
    topic=Topic.COMMUNITY,
)
async def stats(ctx: Ctx) -> None:
    repo = ctx.services.repo(StatsRepository)
    countries = await repo.members_by_country()
    regions = await repo.members_by_region()
    applications = await repo.applications_by_status()
    dialogue = await repo.replies_per_prompt()
    if not countries and not applications and dialogue is None:
        ctx.reply(ctx._(N_("Nothing to count yet: no members, no applications and no dialogue.")))
        return

    locale = ctx.actor.locale
    region_bars = [(_region(ctx, row), row.count) for row in regions]
    country_bars = [(_country(ctx, row), row.count) for row in countries if row.key is not None][
        :TOP_COUNTRIES
    ]
    status_bars = [
        (ctx.gettext(STATUS_NAMES.get(row.key or "", row.key or "?")), row.count) for row in applications
    ]
    prompt_bars = _prompt_bars(dialogue, locale)

    lines = [
        Text.of(bold(ctx.gettext(N_("Community statistics")))),
        ctx._(N_("Members: {count}"), count=_number(sum(row.count for row in countries), locale)),
    ]
    if regions:
        lines.append(ctx._(N_("By region: {list}"), list=_listed(region_bars, locale)))
    if country_bars:
        lines.append(ctx._(N_("Top countries: {list}"), list=_listed(country_bars, locale)))
    others = sum(row.count for row in countries if row.key is not None) - sum(n for _, n in country_bars)
    if others:
        lines.append(ctx._(N_("Other countries: {count}"), count=_number(others, locale)))
    if status_bars:
        lines.append(ctx._(N_("Applications: {list}"), list=_listed(status_bars, locale)))
    else:
        lines.append(ctx._(N_("Applications: none yet.")))
    if dialogue is None:
        lines.append(ctx._(N_("No dialogue has opened yet.")))
    else:
        replies = "; ".join(f"{index + 1}: {_number(n, locale)}" for index, (_, n) in enumerate(prompt_bars))
        lines.append(
            ctx._(
                N_("Replies per prompt of {title} (open): {list}")
                if dialogue.status == "open"
                else N_("Replies per prompt of {title} (closed): {list}"),
                title=localized(dialogue.title, locale),
                list=replies or "-",
            )
        )
    text = Text.join("\n", lines)

    panels = (
        Panel(ctx.gettext(N_("Members by region")), tuple(region_bars)),
        Panel(ctx.gettext(N_("Members by country (top 10)")), tuple(country_bars)),
        Panel(ctx.gettext(N_("Applications by status")), tuple(status_bars)),
        Panel(ctx.gettext(N_("Replies per prompt")), tuple(prompt_bars)),
    )
    chart = _Chart(panels, ctx.gettext(N_("Community statistics")), ctx.gettext(N_("No data yet")))
    ctx.after_commit(_send_with_chart(ctx.platforms, ctx.answer_to, text, chart))
    ctx.note_private_answer()


@dataclass(frozen=True, slots=True)
class _Chart:
    """What to draw, already translated (the worker thread needs no context)."""

    panels: tuple[Panel, ...]
    title: str
    empty: str

    def render(self) -> bytes:
        return render_panels(self.panels, title=self.title, empty=self.empty)


def _send_with_chart(
    platforms: Mapping[str, Platform], to: Recipient, text: Text, chart: _Chart
) -> Callable[[], Awaitable[None]]:
    async def send() -> None:
        attachments: tuple[Attachment, ...] = ()
        try:
            png = await asyncio.to_thread(chart.render)
            attachments = (Attachment("stats.png", png, "image/png"),)
        except Exception:
            log.exception("could not draw the /stats chart; sending the figures as text only")
        await deliver(platforms, OutgoingMessage(to=to, text=text, attachments=attachments))

    return send


def _region(ctx: Ctx, row: Count) -> str:
    if row.key is None:
        return ctx.gettext(N_("no known region"))
    return territory_name(row.key, ctx.actor.locale)


def _country(ctx: Ctx, row: Count) -> str:
    return territory_name(row.key or "", ctx.actor.locale)


def _prompt_bars(dialogue: DialogueReplies | None, locale: str) -> list[tuple[str, int]]:
    if dialogue is None:
        return []
    return [
        (f"{index + 1}. {localized(p.text, locale)}", p.replies) for index, p in enumerate(dialogue.prompts)
    ]


def _number(value: int, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def _listed(bars: Sequence[tuple[str, int]], locale: str) -> str:
    return ", ".join(f"{label} {_number(count, locale)}" for label, count in bars)
