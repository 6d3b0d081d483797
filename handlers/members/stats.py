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
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.text import Text, bold
from bot.core.types import Attachment, OutgoingMessage, Recipient, Role
from bot.services import Ctx
from handlers.application.common import STATUS_NAMES
from handlers.members.charts import Panel, render_panels
from storage.dialogues.texts import localized
from storage.members.stats import Count, DialogueReplies, PromptReplies, StatsRepository
from storage.regions import territory_name

log = logging.getLogger(__name__)

router = Router("stats")

#: Countries shown by name; the others are summed up.
TOP_COUNTRIES = 10


@router.command(
    "stats",
    role=Role.MODERATOR,
    description=N_("Community figures, or the replies to one dialogue, as text and as a chart"),
    usage=N_("[dialogue]"),
    topic=Topic.COMMUNITY,
)
async def stats(ctx: Ctx) -> None:
    repo = ctx.services.repo(StatsRepository)
    if ctx.args:
        await _dialogue_stats(ctx, repo, ctx.args[0])
        return
    countries = await repo.members_by_country()
    regions = await repo.members_by_region()
    applications = await repo.applications_by_status()
    dialogues = [
        found
        for dialogue in await repo.dialogues_in_view()
        if (found := await repo.replies_per_prompt(dialogue.id)) is not None
    ]
    if not countries and not applications and not dialogues:
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
    if not dialogues:
        lines.append(ctx._(N_("No dialogue has opened yet.")))
    lines.extend(_replies_line(ctx, dialogue) for dialogue in dialogues)

    panels = [
        Panel(ctx.gettext(N_("Members by region")), tuple(region_bars)),
        Panel(ctx.gettext(N_("Members by country (top 10)")), tuple(country_bars)),
        Panel(ctx.gettext(N_("Applications by status")), tuple(status_bars)),
    ]
    panels.extend(_prompt_panel(ctx, dialogue, titled=len(dialogues) > 1) for dialogue in dialogues)
    if not dialogues:
        panels.append(Panel(ctx.gettext(N_("Replies per prompt")), ()))
    _answer_with_chart(ctx, Text.join("\n", lines), ctx.gettext(N_("Community statistics")), panels)


async def _dialogue_stats(ctx: Ctx, repo: StatsRepository, typed: str) -> None:
    """``/stats <dialogue>``: the replies to each prompt of one dialogue."""
    number = typed.lstrip("#")
    dialogue = await repo.replies_per_prompt(int(number)) if number.isdigit() else None
    if dialogue is None:
        raise UserFacingError(N_("There is no dialogue {id}."), id=typed)
    locale = ctx.actor.locale
    lines: list[Text | str] = [_replies_line(ctx, dialogue)]
    lines.extend(
        Text.of(
            f"{_prompt(dialogue, prompt)} ",
            localized(prompt.text, locale),
            f" \u2014 {_number(prompt.replies, locale)}",
        )
        for prompt in dialogue.prompts
    )
    if not dialogue.prompts:
        lines.append(ctx._(N_("It has no prompts yet.")))
    title = localized(dialogue.title, locale)
    _answer_with_chart(ctx, Text.join("\n", lines), title, [_prompt_panel(ctx, dialogue, titled=False)])


def _replies_line(ctx: Ctx, dialogue: DialogueReplies) -> Text:
    """``Replies per prompt of <title> (open): 2.1: 2; 2.2: 0``."""
    locale = ctx.actor.locale
    replies = "; ".join(f"{_prompt(dialogue, p)}: {_number(p.replies, locale)}" for p in dialogue.prompts)
    msgid = {
        "open": N_("Replies per prompt of {title} (open): {list}"),
        "closed": N_("Replies per prompt of {title} (closed): {list}"),
    }.get(dialogue.status, N_("Replies per prompt of {title}: {list}"))
    return ctx._(msgid, title=localized(dialogue.title, locale), list=replies or "-")


def _prompt(dialogue: DialogueReplies, prompt: PromptReplies) -> str:
    """The prompt's number as everywhere else: ``2.1`` is dialogue 2, prompt 1."""
    return f"{dialogue.dialogue_id}.{prompt.position}"


def _prompt_panel(ctx: Ctx, dialogue: DialogueReplies, *, titled: bool) -> Panel:
    locale = ctx.actor.locale
    bars = tuple((f"{_prompt(dialogue, p)} {localized(p.text, locale)}", p.replies) for p in dialogue.prompts)
    if titled:  # several dialogues side by side: say which one each panel counts
        title = ctx._(N_("Replies per prompt: {title}"), title=localized(dialogue.title, locale))
        return Panel(str(title), bars)
    return Panel(ctx.gettext(N_("Replies per prompt")), bars)


def _answer_with_chart(ctx: Ctx, text: Text, title: str, panels: list[Panel]) -> None:
    """Answer ``text`` with the chart of ``panels``, drawn after the commit."""
    chart = _Chart(tuple(panels), title, ctx.gettext(N_("No data yet")))
    ctx.after_commit(_send_with_chart(ctx.platforms, ctx.answer_to, text, chart))
    ctx.note_private_answer()


@dataclass(frozen=True, slots=True)
class _Chart:
    """What to draw, already translated (the worker thread needs no context)."""

    panels: tuple[Panel, ...]
    title: str
    empty: str

    def render(self) -> bytes:
        columns = 1 if len(self.panels) == 1 else 2  # one dialogue's chart is one panel wide
        return render_panels(self.panels, title=self.title, empty=self.empty, columns=columns)


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


def _number(value: int, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def _listed(bars: Sequence[tuple[str, int]], locale: str) -> str:
    return ", ".join(f"{label} {_number(count, locale)}" for label, count in bars)
