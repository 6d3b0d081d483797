"""The community's wiki: ``/wiki`` search and reading; ``/wiki_edit``, ``/wiki_delete``.

``/wiki`` alone lists the kinds of entry with their counts; ``/wiki <words>`` searches
(filters ``kind:``, ``region:``, ``lang:``, ``all:``; see :mod:`storage.wiki.query`) and
shows five results a page with Prev/Next buttons; ``/wiki <slug>`` or a result's button
shows the whole entry, split into as many messages as the platform needs.

Button payloads carry ids, never text: each person's latest search is remembered in
``bot_state`` (one row per person) with a short hash of what was typed, and Prev/Next
carry that hash (``wiki:p:<hash>:<offset>``); an older search's buttons have expired.
"""

from __future__ import annotations

import hashlib

from pydantic import ValidationError

from bot.core.cldr import language_name
from bot.core.commands import Topic
from bot.core.errors import UserFacingError
from bot.core.formats import list_separator
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code, from_markdown, italic, link, split
from bot.core.types import Button, Role
from bot.forms.countries import find_country
from bot.services import Ctx
from handlers.wiki.reading import (
    KIND_NAMES,
    KIND_PLURALS,
    check_filters,
    check_may_read,
    filter_names,
    join_soft_wraps,
    problem_text,
)
from storage.models import WikiEntry
from storage.wiki.data import EDITABLE_FIELDS, field_problems
from storage.wiki.query import WikiKind, WikiQuery, snippet
from storage.wiki.repository import SearchPage, WikiRepository, localized

router = Router("wiki")

PAGE_SIZE = 5
_QUERY_STATE = "wiki.query."


@router.command(
    "wiki",
    role=Role.GUEST,  # open by default; check_may_read applies COPBOT_WIKI__ACCESS
    description=N_("Search the community's wiki"),
    usage=N_("[words] [kind:…] [region:…] [lang:…] [all:]"),
    topic=Topic.WIKI,
)
async def wiki(ctx: Ctx) -> None:
    check_may_read(ctx)
    raw = ctx.command.raw_args if ctx.command else ""
    if not raw:
        await _overview(ctx)
        return
    if len(ctx.args) == 1:
        entry = await ctx.services.repo(WikiRepository).get(ctx.args[0].lower())
        if entry is not None:
            _show_entry(ctx, entry)
            return
    await _search(ctx, raw, 0)


@router.button("wiki", role=Role.GUEST)
async def wiki_button(ctx: Ctx) -> None:
    check_may_read(ctx)
    payload = (ctx.message.button if ctx.message else None) or ""
    _, action, *rest = [*payload.split(":"), "", ""]
    if action == "e" and rest[0].isdigit():
        entry = await ctx.services.repo(WikiRepository).get_by_id(int(rest[0]))
        if entry is None:
            raise UserFacingError(N_("That entry no longer exists."))
        _show_entry(ctx, entry)
    elif action == "p" and len(rest) >= 2 and rest[1].isdigit():
        remembered = await ctx.services.state.get(_query_key(ctx))
        if not isinstance(remembered, dict) or remembered.get("hash") != rest[0]:
            raise UserFacingError(
                N_("That search has expired. Search again with {command}."), command=_wiki(ctx)
            )
        await _search(ctx, str(remembered["query"]), int(rest[1]))
    elif action == "s":
        remembered = await ctx.services.state.get(_query_key(ctx))
        if (
            not isinstance(remembered, dict)
            or remembered.get("hash") != rest[0]
            or "suggestion" not in remembered
        ):
            raise UserFacingError(
                N_("That search has expired. Search again with {command}."), command=_wiki(ctx)
            )
        await _search(ctx, str(remembered["suggestion"]), 0)
    elif action == "k" and rest[0] in KIND_NAMES:
        await _search(ctx, f"kind:{rest[0]}", 0)
    else:
        raise UserFacingError(N_("That search has expired. Search again with {command}."), command=_wiki(ctx))


async def _overview(ctx: Ctx) -> None:
    counts = await ctx.services.repo(WikiRepository).count_by_kind()
    if not counts:
        ctx.reply(ctx._(N_("The wiki is empty for now.")))
        return
    lines: list[Text] = [
        ctx.ngettext("The wiki has {n} entry:", "The wiki has {n} entries:", sum(counts.values()))
    ]
    buttons = []
    for kind in WikiKind:
        if kind.value in counts:
            lines.append(
                ctx._(N_("• {kind}: {count}"), kind=ctx.gettext(KIND_PLURALS[kind]), count=counts[kind.value])
            )
            buttons.append([Button(ctx.gettext(KIND_PLURALS[kind]), f"wiki:k:{kind.value}")])
    lines.append(
        ctx._(
            N_("Search with {example}. Filters: {filters}."),
            example=code(f"{ctx.cmd('wiki')} gender budgeting"),
            filters=code("kind:training region:africa lang:es all:"),
        )
    )
    ctx.reply(Text.join("\n", lines), buttons=buttons)


async def _search(ctx: Ctx, raw: str, offset: int) -> None:
    query = WikiQuery.parse(raw, filter_names(ctx))
    check_filters(ctx, query, found=1)
    page = await ctx.services.repo(WikiRepository).search(
        query, ctx.services.now().date(), offset=offset, limit=PAGE_SIZE
    )
    check_filters(ctx, query, found=page.total)
    if not page.entries:
        if page.total and offset:
            raise UserFacingError(
                N_("That search has expired. Search again with {command}."), command=_wiki(ctx)
            )
        ctx.reply(
            ctx._(
                N_("Nothing found for {query}. Try other words, or {command} to browse."),
                query=bold(raw[:100]),
                command=_wiki(ctx),
            )
        )
        return
    key = hashlib.sha256(raw.encode()).hexdigest()[:12]
    remembered = {"hash": key, "query": raw}
    if page.suggestion and not page.corrected:
        remembered["suggestion"] = page.query.with_words(tuple(page.suggestion.split())).as_text()
    await ctx.services.state.set(_query_key(ctx), remembered, ctx.services.now())
    lines: list[Text] = [_heading(ctx, raw, page, offset)]
    for number, entry in enumerate(page.entries, start=offset + 1):
        shown = localized(entry, ctx.actor.locale)
        lines.append(
            ctx._(
                N_("{number}. {title} ({kind}) — {snippet}"),
                number=number,
                title=bold(shown.title),
                kind=ctx.gettext(KIND_NAMES[WikiKind(entry.kind)]),
                snippet=snippet([shown.summary, shown.body], page.query.words, 80),
            )
        )
    if page.suggestion and not page.corrected:
        lines.append(ctx._(N_("Did you mean {suggestion}?"), suggestion=bold(page.suggestion)))
    buttons: list[list[Button]] = [
        [
            Button(str(number), f"wiki:e:{entry.id}")
            for number, entry in enumerate(page.entries, start=offset + 1)
        ]
    ]
    paging = []
    if offset > 0:
        paging.append(Button(ctx.gettext(N_("◀ Previous")), f"wiki:p:{key}:{max(offset - PAGE_SIZE, 0)}"))
    if offset + PAGE_SIZE < page.total:
        paging.append(Button(ctx.gettext(N_("Next ▶")), f"wiki:p:{key}:{offset + PAGE_SIZE}"))
    if paging:
        buttons.append(paging)
    if page.suggestion and "suggestion" in remembered:
        buttons.append([Button(f"🔎 {page.suggestion[:40]}", f"wiki:s:{key}")])
    ctx.reply(Text.join("\n", lines), buttons=buttons)


def _heading(ctx: Ctx, raw: str, page: SearchPage, offset: int) -> Text:
    last = offset + len(page.entries)
    if page.corrected:
        return ctx._(
            N_("Nothing found for {query}. Results for {suggestion} ({first}–{last} of {total}):"),
            query=bold(raw[:100]),
            suggestion=bold(page.suggestion or ""),
            first=offset + 1,
            last=last,
            total=page.total,
        )
    if page.capped:
        return ctx._(
            N_("Results {first}–{last} of the {total} newest matches (add words to narrow the search):"),
            first=offset + 1,
            last=last,
            total=page.total,
        )
    return ctx.ngettext(
        "{first}–{last} of {n} result:",
        "{first}–{last} of {n} results:",
        page.total,
        first=offset + 1,
        last=last,
    )


def _show_entry(ctx: Ctx, entry: WikiEntry) -> None:
    shown = localized(entry, ctx.actor.locale)
    kind = WikiKind(entry.kind)
    parts: list[Text | str] = [Text.of(bold(shown.title))]
    facts = [ctx.gettext(KIND_NAMES[kind])]
    facts.extend(value for value in (entry.region, entry.country) if value)
    parts.append(Text.of(italic(" · ".join(facts))))
    if not shown.translated and shown.language != ctx.actor.locale.split("-")[0]:
        parts.append(
            ctx._(
                N_("(Not yet translated into {wanted}: shown in {language}.)"),
                wanted=language_name(ctx.actor.locale, ctx.actor.locale),
                language=language_name(shown.language, ctx.actor.locale),
            )
        )
    if shown.summary:
        parts.append(shown.summary)
    if shown.body:
        parts.append(from_markdown(join_soft_wraps(shown.body.strip())))
    if entry.deadline is not None:
        parts.append(ctx._(N_("Deadline: {date}"), date=bold(ctx.date(entry.deadline))))
    if entry.link:
        parts.append(ctx._(N_("More: {link}"), link=link(entry.link, entry.link)))
    if entry.tags:
        parts.append(ctx._(N_("Tags: {tags}"), tags=list_separator(ctx.actor.locale).join(entry.tags)))
    parts.append(ctx._(N_("{slug} · updated {date}"), slug=code(entry.slug), date=entry.updated_at.date()))
    for piece in split(Text.join("\n\n", parts), ctx.platform.message_limit):
        ctx.reply(piece)


def _query_key(ctx: Ctx) -> str:
    return _QUERY_STATE + (
        str(ctx.actor.person_id) if ctx.actor.person_id is not None else ctx.actor.user.key
    )


def _wiki(ctx: Ctx) -> Text:
    return Text.of(code(ctx.cmd("wiki")))


# -- moderators ---------------------------------------------------------------------------


@router.command(
    "wiki_edit",
    role=Role.MODERATOR,
    description=N_("Change one field of a wiki entry"),
    usage=N_("<slug> <field> <value>"),
    topic=Topic.WIKI,
)
async def wiki_edit(ctx: Ctx) -> None:
    raw = ctx.command.raw_args if ctx.command else ""
    pieces = raw.split(maxsplit=2)
    if len(pieces) < 3 or pieces[1].lower() not in EDITABLE_FIELDS:
        raise UserFacingError(
            N_("Usage: {usage}. Fields: {fields}."),
            usage=code(f"{ctx.cmd('wiki_edit')} <slug> <field> <value>"),
            fields=", ".join(EDITABLE_FIELDS),
        )
    slug, field, value = pieces[0].lower(), pieces[1].lower(), _unquoted(pieces[2])
    entry = await _entry(ctx, slug)
    before = getattr(entry, field)
    if field == "country" and value.strip():
        # a name in any language the bot speaks ("Ethiopia", "Éthiopie") or a code
        value = find_country(value) or value
    try:
        await ctx.services.repo(WikiRepository).update(entry, {field: value}, ctx.services.now())
    except ValidationError as error:
        problems = [problem_text(ctx, problem) for problem in field_problems(error)]
        raise UserFacingError(
            N_("{field} was not changed. {problem}"), field=code(field), problem=Text.join(" ", problems)
        ) from None
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="wiki.edit",
        target=slug,
        details={"field": field, "before": _short(before), "after": _short(getattr(entry, field))},
    )
    ctx.reply(ctx._(N_("{field} of {slug} changed."), field=code(field), slug=code(slug)))


@router.command(
    "wiki_delete",
    role=Role.MODERATOR,
    description=N_("Delete a wiki entry"),
    usage=N_("<slug>"),
    topic=Topic.WIKI,
)
async def wiki_delete(ctx: Ctx) -> None:
    if len(ctx.args) != 1:
        raise UserFacingError(N_("Usage: {usage}"), usage=code(f"{ctx.cmd('wiki_delete')} <slug>"))
    entry = await _entry(ctx, ctx.args[0].lower())
    ctx.reply(
        ctx._(
            N_("Delete {title} ({slug})? This cannot be undone."),
            title=bold(entry.title),
            slug=code(entry.slug),
        ),
        buttons=[
            [
                Button(ctx.gettext(N_("Delete")), f"wikimod:delete:{entry.id}"),
                Button(ctx.gettext(N_("Keep it")), "wikimod:keep"),
            ]
        ],
    )


@router.button("wikimod", role=Role.MODERATOR)
async def wiki_delete_button(ctx: Ctx) -> None:
    payload = (ctx.message.button if ctx.message else None) or ""
    _, action, *rest = [*payload.split(":"), "", ""]
    if action != "delete" or not rest[0].isdigit():
        ctx.reply(ctx._(N_("Nothing was deleted.")))
        return
    entry = await ctx.services.repo(WikiRepository).get_by_id(int(rest[0]))
    if entry is None:
        raise UserFacingError(N_("That entry no longer exists."))
    slug, title = entry.slug, entry.title
    await ctx.services.repo(WikiRepository).delete(entry, ctx.services.now())
    await ctx.services.audit.record(
        at=ctx.services.now(),
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="wiki.delete",
        target=slug,
        details={"title": title},
    )
    ctx.reply(ctx._(N_("Deleted {title} ({slug})."), title=bold(title), slug=code(slug)))


async def _entry(ctx: Ctx, slug: str) -> WikiEntry:
    entry = await ctx.services.repo(WikiRepository).get(slug)
    if entry is None:
        raise UserFacingError(N_("There is no wiki entry {slug}."), slug=code(slug))
    return entry


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _short(value: object) -> object:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    if isinstance(value, list | tuple | int | str) or value is None:
        return value
    return str(value)
