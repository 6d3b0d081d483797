"""The public web site: the wiki, the dialogues' archives and how to join, as static pages.

* :mod:`~handlers.site.data` — what is published, read through the repositories.
* :mod:`~handlers.site.pages` — which pages there are, the same in every language.
* :mod:`~handlers.site.build` — rendering (Jinja2, the bot's catalogs) and writing into a folder.
* :mod:`~handlers.site.search_index` — the search index each language's pages search in the browser.

* :mod:`~handlers.site.templating` — the Jinja2 environment, shared with the dialogue exports.
* :mod:`~handlers.site.serving` — ``copbot run`` serving the site, rebuilt when it changed.

``copbot site build OUT/`` (:mod:`bot.cli.site`) calls :func:`~handlers.site.build.build_site`.
The site has no commands; its feature's ``start`` serves the site and rebuilds the pages
that changed when ``COPBOT_WEB__LISTEN`` is set.
"""

from __future__ import annotations

from bot.features import Feature
from handlers.site.serving import start_site

FEATURE = Feature(name="site", start=start_site)
