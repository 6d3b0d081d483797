"""The Jinja2 environment of the site's templates, shared by the public site and the exports.

One place decides how a page is rendered: autoescaping everywhere (member text never
becomes markup, see :mod:`bot.core.export_safety`), a missing variable is an error rather
than an empty string, and words go through the bot's catalogs (``{{ _("Home") }}``).
The public site's pages and a dialogue's HTML export (:mod:`handlers.dialogues.export`)
extend the same ``layout.html`` and use the same style sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
#: Languages written right to left.
RTL = frozenset({"ar", "fa", "he", "ur"})


def environment(
    gettext: Callable[[str], str] | None = None, ngettext: Callable[[str, str, int], str] | None = None
) -> Environment:
    """A Jinja2 environment on the site's templates, speaking through ``gettext`` (none: as written)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    if gettext is None or ngettext is None:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # the i18n extension's
    else:
        env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


@cache
def stylesheet() -> Markup:
    """The site's style sheet, for a standalone file to carry inline (our own file: no member text)."""
    return Markup((STATIC / "site.css").read_text(encoding="utf-8"))
