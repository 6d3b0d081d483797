"""The static server of the public site: its files only, folders by their index, swaps seen at once."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.web import SiteServer, resolve


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "es").mkdir(parents=True)
    (root / "index.html").write_text("<p>home</p>")
    (root / "es" / "index.html").write_text("<p>inicio</p>")
    (root / "search.json").write_text("{}")
    (root / "404.html").write_text("<p>lost</p>")
    (root / ".secret").write_text("no")
    (tmp_path / "outside.txt").write_text("private")
    os.symlink(tmp_path / "outside.txt", root / "escape.txt")
    return root


@pytest.fixture
async def served(site: Path) -> AsyncIterator[str]:
    server = SiteServer(site, "127.0.0.1:0")
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()


def test_resolve_keeps_to_the_folder(site: Path) -> None:
    assert resolve(site, "") == (site / "index.html").resolve()
    assert resolve(site, "es/") == (site / "es" / "index.html").resolve()
    for address in ("../outside.txt", "es/../../outside.txt", ".secret", "escape.txt", "nothing.html"):
        assert resolve(site, address) is None, address


async def test_pages_types_and_headers(served: str) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{served}/") as response:
            assert response.status == 200
            assert await response.text() == "<p>home</p>"
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        async with client.get(f"{served}/search.json") as response:
            assert response.headers["Content-Type"] == "application/json"
        async with client.get(f"{served}/es", allow_redirects=False) as response:
            assert response.status == 301
            assert response.headers["Location"] == "/es/"
        async with client.get(f"{served}/es") as response:
            assert await response.text() == "<p>inicio</p>"


async def test_outside_hidden_and_missing_are_not_found(served: str) -> None:
    async with aiohttp.ClientSession() as client:
        for address in ("/escape.txt", "/.secret", "/es/../../outside.txt", "/%2e%2e/outside.txt", "/none"):
            async with client.get(served + address) as response:
                assert response.status == 404, address
                assert "private" not in await response.text()


async def test_a_rebuilt_page_is_served_at_once(site: Path, served: str) -> None:
    fresh = site / "index.html.new"
    fresh.write_text("<p>rebuilt</p>")
    fresh.replace(site / "index.html")
    async with aiohttp.ClientSession() as client, client.get(f"{served}/") as response:
        assert await response.text() == "<p>rebuilt</p>"
