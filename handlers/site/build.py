"""``build_site``: the public web site, written from the database into a folder.

Each language has a folder (``OUT/en/``, ``OUT/ar/``...) holding the same pages
(:mod:`handlers.site.pages`), rendered with Jinja2 and the bot's own gettext catalogs;
``OUT/index.html`` sends a reader to their browser's language, or lists the languages;
``OUT/static/`` holds the style sheet and the search script, and each language's
``search.json`` its search index (:mod:`handlers.site.search_index`).

Pages are rendered in memory first (:func:`render_site`: the same records give the same
bytes, there is no build time in any page), then written into a temporary folder next to
``OUT`` and moved into place file by file with :func:`os.replace`: a server reading
``OUT`` meanwhile sees each page whole, old or new. Only pages whose bytes changed are
replaced, and pages no longer published are removed; :attr:`BuildReport.changed` names
them, so a caller that rebuilds after each change of the wiki or of a dialogue knows what
it touched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from bot.catalogs import LOCALES_DIR, Catalogs, language_name
from bot.config import Settings
from bot.core.i18n import N_
from handlers.site.data import Published, PublishedDialogue, gather
from handlers.site.markup import markdown_html
from handlers.site.pages import PageSpec, site_pages
from handlers.site.search_index import index_json, indexed_entry
from handlers.site.templating import RTL, STATIC, environment
from handlers.wiki.reading import KIND_PLURALS
from storage.db import Database
from storage.dialogues.texts import localized
from storage.regions import territory_name
from storage.wiki.query import WikiKind

#: The deep link that opens the application form on Telegram (``/start apply``).
APPLY = "apply"
#: The file that marks a folder as a site copbot wrote: only such a folder has files removed.
MARKER = ".copbot-site"
#: How a dialogue's status reads on the site.
STATUS_NAMES = {"open": N_("Open"), "scheduled": N_("Upcoming"), "closed": N_("Closed")}
DATES = N_("From {start} to {end}")


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build wrote.

    Attributes:
        out: the site's folder.
        pages: HTML pages in the site (every language's).
        languages: the languages, in the order of the language switch.
        bytes: the size of every file of the site.
        changed: the files written or removed by this build, relative to ``out``.
    """

    out: Path
    pages: int
    languages: tuple[str, ...]
    bytes: int
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A link with its label or language code."""

    code: str
    href: str
    name: str = ""


def terms_markdown(settings: Settings, locale: str) -> tuple[str, str]:
    """The Terms of Reference the application form shows, and their language."""
    if settings.terms_file is not None:
        return settings.terms_file.read_text(encoding="utf-8"), settings.default_locale
    for candidate in (locale, settings.default_locale, "en"):
        path = LOCALES_DIR / candidate / "terms.md"
        if path.is_file():
            return path.read_text(encoding="utf-8"), candidate
    return "", locale


def join_links(settings: Settings, gettext: Callable[[str], str]) -> list[Link]:
    """Where to apply: the bot on each platform the settings configure and name."""
    links = []
    if settings.telegram is not None and settings.site.telegram_username:
        href = f"https://t.me/{settings.site.telegram_username}?start={APPLY}"
        links.append(Link("telegram", href, gettext(N_("Apply on Telegram"))))
    if settings.matrix is not None:
        links.append(
            Link("matrix", f"https://matrix.to/#/{settings.matrix.user_id}", gettext(N_("Apply on Matrix")))
        )
    return links


class _Language:
    """One language's Jinja2 environment: the catalog, the names, the dates."""

    def __init__(self, catalogs: Catalogs, settings: Settings, locale: str, locales: Sequence[str]) -> None:
        self.locale = locale
        translator = catalogs.translator(locale)
        self.gettext = translator.gettext
        self.env = environment(translator.gettext, translator.ngettext)
        self.env.globals.update(
            lang=locale,
            direction="rtl" if locale in RTL else "ltr",
            language_word=language_name,
            kind_name=lambda kind: self.gettext(KIND_PLURALS[WikiKind(kind)]),
            region_name=lambda code: territory_name(code, locale),
            country_name=lambda code: territory_name(code, locale),
            localized=lambda texts: localized(texts, locale, settings.default_locale),
            date=self.date,
            dates=self.dates,
            status_name=self.status_name,
            heading_text=self.heading_text,
            joins=join_links(settings, self.gettext),
        )
        self.locales = locales

    def date(self, moment: date | datetime) -> str:
        return format_date(moment, "long", locale=self.locale)

    def dates(self, dialogue: PublishedDialogue) -> str:
        start, end = self.date(dialogue.start_date), self.date(dialogue.end_date)
        return self.gettext(DATES).format(start=start, end=end)

    def status_name(self, status: str) -> str:
        return self.gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else status

    def heading_text(self, heading: Mapping[str, str]) -> str:
        if "kind" in heading:
            return self.gettext(KIND_PLURALS[WikiKind(heading["kind"])])
        return territory_name(heading.get("region") or heading["country"], self.locale)


def _page_data(spec: PageSpec, language: _Language, settings: Settings) -> dict[str, Any]:
    """What ``spec``'s template needs in ``language``, besides what ``spec`` holds."""
    data = dict(spec.data)
    if spec.template == "entry.html":
        entry = data["entry"]
        speaks = entry.speaks(language.locale)
        data.update(
            text=entry.text(language.locale), speaks=speaks, body=markdown_html(data["bodies"][speaks])
        )
    elif spec.template == "terms.html":
        source, terms_lang = terms_markdown(settings, language.locale)
        data.update(terms=markdown_html(source), terms_lang=terms_lang)
    data.setdefault("pager", None)
    return data


def render_site(
    published: Published, settings: Settings, catalogs: Catalogs | None = None
) -> dict[str, bytes]:
    """Every file of the site, by path relative to its folder (pure: no clock, no disk but templates)."""
    catalogs = catalogs or Catalogs(default=settings.default_locale)
    locales = tuple(catalogs.locales)
    specs = site_pages(published.entries, published.dialogues)
    base = settings.site.base_url
    files: dict[str, bytes] = {}
    for locale in locales:
        language = _Language(catalogs, settings, locale, locales)
        for spec in specs:
            root = "../" * (spec.path.count("/") + 1)
            template = language.env.get_template(spec.template)
            html = template.render(
                **_page_data(spec, language, settings),
                root=root,
                link=lambda path, root=root, locale=locale: f"{root}{locale}/{path}",
                asset=lambda name, root=root: f"{root}static/{name}",
                canonical=f"{base}{locale}/{spec.path}" if base else None,
                alternates=_alternates(spec.path, locales, settings, root),
                languages=[
                    Link(code, f"{root}{code}/{spec.path}", language_name(code, capitalize=True))
                    for code in locales
                ],
            )
            files[f"{locale}/{spec.path}"] = html.encode()
        pages = [
            indexed_entry(
                entry, locale, f"wiki/{entry.slug}.html", language.gettext(KIND_PLURALS[WikiKind(entry.kind)])
            )
            for entry in sorted(
                published.entries, key=lambda entry: (entry.text(locale).title.casefold(), entry.slug)
            )
        ]
        files[f"{locale}/search.json"] = index_json(pages)
    english = _Language(catalogs, settings, "en" if "en" in locales else locales[0], locales)
    files["index.html"] = (
        english.env.get_template("choose.html")
        .render(
            alternates=_alternates("index.html", locales, settings, "", chooser=True),
            languages=[Link(code, "", language_name(code, capitalize=True)) for code in locales],
            codes=Markup('["' + '","'.join(locales) + '"]'),  # language codes of our catalogs
        )
        .encode()
    )
    for path in sorted(STATIC.iterdir()):
        files[f"static/{path.name}"] = path.read_bytes()
    files[MARKER] = b"Written by copbot site build: files here are replaced and removed by the next build.\n"
    return files


def _alternates(
    path: str, locales: Sequence[str], settings: Settings, root: str, chooser: bool = False
) -> list[Link]:
    """The page's hreflang links: each language's copy, and the language chooser as x-default."""
    base = settings.site.base_url
    prefix = base or root
    found = [Link(code, f"{prefix}{code}/{path}") for code in locales]
    found.append(
        Link(
            "x-default",
            f"{prefix}index.html"
            if (chooser or path == "index.html")
            else f"{prefix}{settings.default_locale}/{path}",
        )
    )
    return found


def write_site(files: Mapping[str, bytes], out: Path) -> tuple[str, ...]:
    """Put ``files`` in ``out``: each changed file replaced whole, stale ones removed.

    The new files are first written into a temporary folder beside ``out`` (same file
    system), then each one moved over its old copy with :func:`os.replace`.

    Returns:
        The paths written or removed, sorted.

    Raises:
        FileExistsError: ``out`` holds files but is no site copbot wrote (no :data:`MARKER`):
            nothing of it is removed or replaced.
    """
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise FileExistsError(
            f"{out}: the folder holds other files; give an empty or a new folder for the site"
        )
    out.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as scratch:
        staged = Path(scratch)
        for name, data in sorted(files.items()):
            target = out / name
            if target.is_file() and target.read_bytes() == data:
                continue
            fresh = staged / name
            fresh.parent.mkdir(parents=True, exist_ok=True)
            fresh.write_bytes(data)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(fresh, target)
            changed.append(name)
    for path in sorted(out.rglob("*"), reverse=True):
        name = path.relative_to(out).as_posix()
        if path.is_file() and name not in files:
            path.unlink()
            changed.append(name)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return tuple(sorted(changed))


async def build_site(
    db: Database, settings: Settings, out: Path, *, now: datetime, catalogs: Catalogs | None = None
) -> BuildReport:
    """Write the public site of ``db`` into ``out`` (see the module's docstring).

    Args:
        now: the moment the site is built for: an open dialogue shows its prompts due by then.
    """
    catalogs = catalogs or Catalogs(default=settings.default_locale)
    files = render_site(await gather(db, now), settings, catalogs)
    changed = write_site(files, out)
    pages = sum(1 for name in files if name.endswith(".html"))
    return BuildReport(
        out, pages, tuple(catalogs.locales), sum(len(data) for data in files.values()), changed
    )
