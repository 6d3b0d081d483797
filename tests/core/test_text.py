from __future__ import annotations

from bot.core.text import Span, Style, Text, bold, code, fill, link, to_html, to_plain


def test_fill_inserts_values_as_plain_spans() -> None:
    text = fill("Hello {name}, welcome!", {"name": "<b>Eve</b>"})
    assert str(text) == "Hello <b>Eve</b>, welcome!"
    assert to_html(text) == "Hello &lt;b&gt;Eve&lt;/b&gt;, welcome!"


def test_fill_keeps_styled_values_and_unknown_placeholders() -> None:
    text = fill("{who} said {what} at {when}", {"who": bold("Ana"), "what": "hi"})
    assert text.spans[0] == Span("Ana", Style.BOLD)
    assert str(text) == "Ana said hi at {when}"


def test_fill_does_not_interpret_placeholders_inside_values() -> None:
    assert str(fill("{a} and {b}", {"a": "{b}", "b": "x"})) == "{b} and x"


def test_html_escapes_every_span_and_link_target() -> None:
    text = Text.of("a < b & c", bold("<i>"), code("x<y"), link("site", 'https://e.org/?q="1"&r=2'))
    assert to_html(text) == (
        'a &lt; b &amp; c<b>&lt;i&gt;</b><code>x&lt;y</code><a href="https://e.org/?q=&quot;1&quot;&amp;r=2">site</a>'
    )


def test_plain_rendering_shows_link_targets() -> None:
    assert (
        to_plain(Text.of("see ", link("the terms", "https://e.org/terms")))
        == "see the terms <https://e.org/terms>"
    )


def test_join_concatenation_and_length() -> None:
    joined = Text.join(", ", ["a", bold("b"), Text.of("c")])
    assert str(joined) == "a, b, c"
    assert len(joined) == 7
    assert str("x" + joined + "y") == "xa, b, cy"
    assert not Text.of("", "")
