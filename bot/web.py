"""HTTP servers of the bot (:class:`HttpServer`), and the public site's on ``COPBOT_WEB__LISTEN``.

The site's folder is looked up on every request, never resolved once at start: the site builder
replaces its pages while they are served (each file by an atomic rename), and a reader
gets either the old page or the new one, never half of one.

Only files under the folder are served: a path that leaves it (``..``, a symbolic link
pointing out) is a 404, as is any name starting with a dot. A folder's address answers
with its ``index.html``; ``/es`` redirects to ``/es/`` so that relative links resolve.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path, PurePosixPath

from aiohttp import web

log = logging.getLogger(__name__)

#: What the pages may load: only their own files (no fonts, scripts or trackers from
#: elsewhere); the index page's language choice is an inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Pages change when the wiki or a dialogue does: browsers check again after a minute.
CACHE_CONTROL = "public, max-age=60"
TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".js": "text/javascript"}


def resolve(root: Path, address: str) -> Path | None:
    """The file under ``root`` that ``address`` (a URL path) names; ``None`` if none may be served."""
    parts = PurePosixPath("/" + address.lstrip("/")).parts[1:]
    if any(part in {"..", ""} or part.startswith(".") or "\\" in part for part in parts):
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    if not real.is_relative_to(base) or not real.is_file():
        return None
    return real


class HttpServer:
    """An aiohttp application served on ``listen`` (``host:port``; port 0 picks a free
    port: see :attr:`port` once started). Subclasses say what they serve."""

    #: What the start-up log line calls this server.
    serves = "HTTP"

    def __init__(self, listen: str) -> None:
        host, _, port = listen.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        """The aiohttp application (tests may serve it on their own)."""
        raise NotImplementedError

    async def start(self) -> None:
        runner = web.AppRunner(self.application(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self._runner = runner
        if runner.addresses:  # the port chosen for port 0
            self.port = int(runner.addresses[0][1])
        log.info("%s on http://%s:%d/", self.serves, self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class SiteServer(HttpServer):
    """An aiohttp server for the files of ``root``.

    Args:
        root: the built site's folder (it may not exist yet: requests then get 404).
        listen: ``host:port``; port 0 picks a free port (see :attr:`port` once started).
    """

    serves = "the public site"

    def __init__(self, root: Path, listen: str) -> None:
        super().__init__(listen)
        self.root = root

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{address:.*}", self._serve)
        return app

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        address = request.match_info["address"]
        target = resolve(self.root, address)
        if target is None:
            return self._not_found()
        if target.name == "index.html" and address and not address.endswith(("/", "index.html")):
            raise web.HTTPMovedPermanently(f"/{address}/", headers=HEADERS)
        body = target.read_bytes()
        content_type = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        headers = HEADERS | {
            "Cache-Control": CACHE_CONTROL,
            "Content-Type": content_type or "application/octet-stream",
        }
        return web.Response(body=body, headers=headers)

    def _not_found(self) -> web.Response:
        page = resolve(self.root, "404.html")
        body = page.read_bytes() if page is not None else b"Not found"
        content_type = "text/html; charset=utf-8" if page is not None else "text/plain; charset=utf-8"
        return web.Response(status=404, body=body, headers=HEADERS | {"Content-Type": content_type})
