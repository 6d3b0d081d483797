"""The public web site: the wiki, the dialogues' archives and how to join, as static pages.

* :mod:`~handlers.site.data` — what is published, read through the repositories.
* :mod:`~handlers.site.pages` — which pages there are, the same in every language.
* :mod:`~handlers.site.build` — rendering (Jinja2, the bot's catalogs) and writing into a folder.
* :mod:`~handlers.site.search_index` — the search index each language's pages search in the browser.

``copbot site build OUT/`` (:mod:`bot.cli.site`) calls :func:`~handlers.site.build.build_site`.
The site has no commands, so it declares no :class:`~bot.features.Feature` yet; serving it
from ``copbot run`` will, with a ``start`` that rebuilds the pages that changed.
"""
