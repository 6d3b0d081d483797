from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.core.text import Text, bold, link
from bot.core.types import (
    Attachment,
    Button,
    ChatRef,
    Event,
    IncomingMessage,
    MessageRef,
    OutgoingMessage,
    UserRef,
)
from bot.platforms.console import COMMUNITY, ConsoleLine, ConsolePlatform, parse_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("hello", ConsoleLine("me", ChatRef("console", "me"), "hello")),
        ("@amina  bonjour à tous", ConsoleLine("amina", ChatRef("console", "amina"), "bonjour à tous")),
        ("[community/3] my reply", ConsoleLine("me", ChatRef("console", "community", "3"), "my reply")),
        ("@bob [moderators] /approve 2", ConsoleLine("bob", ChatRef("console", "moderators"), "/approve 2")),
        ("#2", ConsoleLine("me", ChatRef("console", "me"), "#2", 2)),
        ("@bob #10", ConsoleLine("bob", ChatRef("console", "bob"), "#10", 10)),
        (
            "email@example.org is mine",
            ConsoleLine("me", ChatRef("console", "me"), "email@example.org is mine"),
        ),
        ("#hashtag", ConsoleLine("me", ChatRef("console", "me"), "#hashtag")),
    ],
)
def test_parse_line(line: str, expected: ConsoleLine) -> None:
    assert parse_line(line, "me") == expected


def test_blank_lines_are_ignored() -> None:
    assert parse_line("   \n", "me") is None


async def test_output_format(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsolePlatform(out, files_dir=tmp_path)
    buttons = ((Button("Yes", "ok:1"), Button("No", "ok:0")),)
    await console.send(
        OutgoingMessage(UserRef("console", "amina"), Text.of(bold("Hi"), "\nsecond line"), buttons)
    )
    await console.send(
        OutgoingMessage(COMMUNITY.thread("4"), Text.of("see ", link("terms", "https://example.org/terms")))
    )
    ref = await console.send(
        OutgoingMessage(
            ChatRef("console", "mod"), Text.of("export"), attachments=(Attachment("d.md", b"# D"),)
        )
    )
    await console.edit(ref, OutgoingMessage(ref.chat, Text.of("1 / 2 delivered")))
    assert out.getvalue().splitlines() == [
        "[amina] Hi",
        "  second line",
        "[#1] Yes",
        "[#2] No",
        "[community/4] see terms <https://example.org/terms>",
        "[mod] export",
        f"[mod] (file) {tmp_path / 'd.md'}",
        f"[mod] (edited #{ref.id}) 1 / 2 delivered",
    ]
    assert (tmp_path / "d.md").read_bytes() == b"# D"


async def test_buttons_are_pressed_by_number_per_user(tmp_path: Path) -> None:
    console = ConsolePlatform(io.StringIO(), files_dir=tmp_path)
    received: list[Event] = []

    async def sink(event: Event) -> None:
        received.append(event)

    await console.start(sink)
    await console.send(OutgoingMessage(UserRef("console", "amina"), Text.of("?"), ((Button("A", "x:a"),),)))
    await console.feed("@amina #1", "me")
    await console.feed("#1", "me")  # "me" was shown no keyboard: a stale press
    await console.feed("[community] hi", "me")
    first, second, third = received
    assert isinstance(first, IncomingMessage)
    assert first.button == "x:a"
    assert first.text is None
    assert isinstance(second, IncomingMessage)
    assert second.button == "expired"
    assert isinstance(third, IncomingMessage)
    assert not third.is_direct
    assert third.text == "hi"
    assert len({first.event_id, second.event_id, third.event_id}) == 3


async def test_threads_files_and_capabilities(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsolePlatform(out, files_dir=tmp_path)
    opening = await console.create_thread(
        COMMUNITY, "Week 1", OutgoingMessage(COMMUNITY, Text.of("Prompt 1"))
    )
    assert opening.chat == COMMUNITY.thread("1")
    await console.close_thread(opening.chat)
    await console.admit_user(UserRef("console", "amina"))
    await console.remove_user(UserRef("console", "amina"))
    await console.delete_message(MessageRef(COMMUNITY, "9"))
    for _ in range(2):
        await console.send(
            OutgoingMessage(COMMUNITY, Text.of("f"), attachments=(Attachment("../x y.csv", b"1"),))
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x_y-2.csv", "x_y.csv"]
    assert out.getvalue().splitlines()[:5] == [
        "[community/1] (new thread) Week 1",
        "[community/1] Prompt 1",
        "[community/1] (thread closed)",
        "[community] (joined) amina",
        "[community] (removed) amina",
    ]
