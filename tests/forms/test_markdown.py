"""The Terms of Reference, written in Markdown, as each platform shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text import Style, to_plain
from bot.forms.markdown import markdown_text
from bot.platforms.matrix.render import message_content
from bot.platforms.telegram.render import html_pieces

LOCALES = Path(__file__).resolve().parents[2] / "locales"


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_terms_render_formatted_on_every_platform(language: str) -> None:
    text = markdown_text((LOCALES / language / "terms.md").read_text(encoding="utf-8"))
    telegram = "".join(html_pieces(text, 4096))
    matrix = message_content(text)
    plain = to_plain(text)
    for rendered in (telegram, matrix["formatted_body"], matrix["body"], plain):
        assert "#" not in rendered
        assert "**" not in rendered
    assert telegram.startswith("<b>")
    assert "<b>" in matrix["formatted_body"]
    assert plain.splitlines()[2].startswith("1. ")


def test_markdown_becomes_rich_text() -> None:
    text = markdown_text(
        "# Title\n\nSome *words* and **strong** ones, `code`.\n\n- one [site](https://example.org)\n- two\n\n"
        "<script>x</script> stays text"
    )
    assert str(text) == (
        "Title\n\nSome words and strong ones, code.\n\n\u2022 one site\n\u2022 two\n\n<script>x</script> stays text"
    )
    styles = {span.text: (span.style, span.url) for span in text.spans}
    assert styles["Title"] == (Style.BOLD, None)
    assert styles["words"] == (Style.ITALIC, None)
    assert styles["strong"] == (Style.BOLD, None)
    assert styles["code"] == (Style.CODE, None)
    assert styles["site"] == (Style.LINK, "https://example.org")
    assert "&lt;script&gt;" in "".join(html_pieces(text, 4096))
