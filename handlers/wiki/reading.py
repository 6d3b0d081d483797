"""What readers of the wiki get: who may read it, filters in their language, bodies as shown.

* Who: everyone by default, guests included (visitors are future applicants);
  ``COPBOT_WIKI__ACCESS=members`` keeps search and reading to members. The routes are
  open to guests and check here, so the setting takes effect without another router.
* Filters: ``kind:formation`` and ``region:afrique`` are read through the reader's
  catalogue and CLDR's region names (:class:`storage.wiki.query.FilterNames`); an unknown
  kind, or a region that is none and finds nothing, is answered with the valid ones.
* Bodies: soft line wraps are joined as Markdown does (:func:`join_soft_wraps`).
* Edits: a refused value is explained in the moderator's language (:func:`problem_text`).
"""

from __future__ import annotations

import re

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.text import Text, code
from bot.core.types import Role
from bot.forms.countries import find_country
from bot.services import Ctx
from storage.regions import REGIONS, territory_name
from storage.wiki.data import FieldProblem
from storage.wiki.query import FilterNames, WikiKind, WikiQuery, region_names, words

KIND_NAMES = {
    WikiKind.INSTITUTION: N_("institution"),
    WikiKind.TRAINING: N_("training"),
    WikiKind.MATERIAL: N_("material"),
    WikiKind.OPPORTUNITY: N_("opportunity"),
    WikiKind.TEMPLATE: N_("template"),
}
KIND_PLURALS = {
    WikiKind.INSTITUTION: N_("Institutions"),
    WikiKind.TRAINING: N_("Trainings"),
    WikiKind.MATERIAL: N_("Training materials"),
    WikiKind.OPPORTUNITY: N_("Opportunities"),
    WikiKind.TEMPLATE: N_("Templates"),
}


def check_may_read(ctx: Ctx) -> None:
    """Refuse a guest or applicant when the wiki is for members only (the setting)."""
    if ctx.services.settings.wiki.access == "members" and not ctx.actor.has(Role.MEMBER):
        raise UserFacingError(N_("Sorry, the wiki is for members only."))


def filter_names(ctx: Ctx) -> FilterNames:
    """The kinds' and regions' names in the reader's language, countries by any name."""
    kinds: dict[str, WikiKind] = {}
    for kind in WikiKind:
        for msgid in (KIND_NAMES[kind], KIND_PLURALS[kind]):
            kinds.setdefault(" ".join(words(ctx.gettext(msgid))), kind)
    locale = ctx.actor.locale.split("-")[0]
    return FilterNames(kinds=kinds, regions=region_names(("en", "es", "fr", locale)), country=find_country)


def check_filters(ctx: Ctx, query: WikiQuery, found: int) -> None:
    """Answer an unknown kind with the kinds, and an unknown region finding nothing with the regions."""
    if query.unknown_kind is not None:
        raise UserFacingError(
            N_("There is no kind {kind}. Kinds: {kinds}."),
            kind=code(query.unknown_kind[:40]),
            kinds=", ".join(ctx.gettext(KIND_NAMES[kind]) for kind in WikiKind),
        )
    if query.unknown_region is not None and not found:
        raise UserFacingError(
            N_(
                "No entry is in a region called {region}. Regions: {regions}; or type a country, such as {example}."
            ),
            region=code(query.unknown_region[:40]),
            regions=", ".join(territory_name(region, ctx.actor.locale) for region in REGIONS),
            example=territory_name("KE", ctx.actor.locale),
        )


_BLOCK_START = re.compile(r"^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```|~~~)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def join_soft_wraps(markdown: str) -> str:
    """Join the lines of each paragraph as Markdown does: a single newline is a space.

    Blank lines, headings, list items, quotes, table rows, fenced code and hard breaks
    (two trailing spaces or a backslash) are kept.

    Examples:
        >>> join_soft_wraps("A long\\nsentence.\\n\\n- one\\n- two")
        'A long sentence.\\n\\n- one\\n- two'
    """
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        previous = out[-1] if out else ""
        joins = (
            not fenced
            and bool(out)
            and previous.strip() != ""
            and line.strip() != ""
            and not _BLOCK_START.match(line)
            and not re.match(r"^\s{0,3}(#|\||```|~~~)", previous)
            and not previous.endswith(("  ", "\\"))
        )
        if joins:
            out[-1] = previous.rstrip() + " " + line.strip()
        else:
            out.append(line.rstrip() if not fenced else line)
    return "\n".join(out)


_REASONS = {
    "required": N_("{field} is missing."),
    "empty": N_("{field} cannot be empty."),
    "too_long": N_("{field} is longer than {detail} characters."),
    "kind": N_("{field} must be one of: {detail}."),
    "slug": N_("{field}: use lower-case letters, digits and hyphens only, such as gender-budgeting."),
    "language": N_("{field} must be a language code of two or three letters, such as en or fr."),
    "country": N_("{field}: type a country's name, such as Ethiopia, or its two-letter code."),
    "date": N_("{field} must be a date written like 2026-05-31."),
    "unknown": N_("{field} is not a field of a wiki entry."),
    "invalid": N_("{field}: this value is not accepted."),
}


def problem_text(ctx: Ctx, problem: FieldProblem) -> Text:
    """One refused field, explained in the reader's language."""
    field = problem.field.split(".")[0]
    reason = problem.reason
    if reason == "invalid" and field == "country":
        reason = "country"
    elif reason == "invalid" and field == "link":
        return ctx._(N_("{field} must start with http://, https:// or mailto:."), field=code(field))
    detail = problem.detail
    if reason == "kind":
        detail = ", ".join(kind.value for kind in WikiKind)  # what is stored and typed
    return ctx._(_REASONS[reason], field=code(field or "entry"), detail=detail)
