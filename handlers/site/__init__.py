"""The public web site: the wiki, the dialogues' archives and how to join, as static pages.

* :mod:`~handlers.site.data` — what is published, read through the repositories.
* :mod:`~handlers.site.pages` — which pages there are, the same in every language.
* :mod:`~handlers.site.build` — rendering (Jinja2, the bot's catalogs) and writing into a folder.
* :mod:`~handlers.site.search_index` — the search index each language's pages search in the browser.

``copbot site build OUT/`` (:mod:`bot.cli.site`) calls :func:`~handlers.site.build.build_site`.
The site has no commands and no work of its own in the running bot yet, so its feature
declares nothing but its name; serving the site from ``copbot run`` will give it a
``start`` that rebuilds the pages that changed.
"""

from __future__ import annotations

from bot.features import Feature

FEATURE = Feature(name="site")
