from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import Command, parse_command, split_args


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/help", "help", ()),
        ("!help", "help", ()),
        ("  /HELP  ", "help", ()),
        ("/wiki gender budgeting", "wiki", ("gender", "budgeting")),
        ('/wiki "gender budgeting" kind:training', "wiki", ("gender budgeting", "kind:training")),
        ("/wiki “gender budgeting”", "wiki", ("gender budgeting",)),
        ("/reject 12 'not a trainer'", "reject", ("12", "not a trainer")),
        ('/wiki "unbalanced quote', "wiki", ('"unbalanced', "quote")),
        ("/thread\nsecond line", "thread", ("second", "line")),
    ],
)
def test_parses_commands_with_shell_like_arguments(text: str, name: str, args: tuple[str, ...]) -> None:
    command = parse_command(text)
    assert command is not None
    assert command.name == name
    assert command.args == args


@pytest.mark.parametrize("text", ["hello", "", "   ", "/", "!", "!!!", "/ help", "/123", "//help", "/héllo"])
def test_text_that_is_not_a_command(text: str) -> None:
    assert parse_command(text) is None


def test_bot_suffix_is_recognised_and_checked() -> None:
    command = parse_command("/help@CopBot extra")
    assert command == Command("help", ("extra",), "extra", "/", "CopBot")
    assert command.is_for("copbot")
    assert not command.is_for("otherbot")
    assert parse_command("/help").is_for("copbot")  # type: ignore[union-attr]


def test_raw_args_keep_what_was_typed() -> None:
    command = parse_command('/reject 7   "too   short"  ')
    assert command is not None
    assert command.raw_args == '7   "too   short"'
    assert command.prefix == "/"
    assert parse_command("!wiki x").prefix == "!"  # type: ignore[union-attr]


@given(st.text())
def test_any_text_parses_or_is_refused_without_error(text: str) -> None:
    command = parse_command(text)
    if command is not None:
        assert command.name == command.name.lower()
        assert text.strip()[0] in "/!"


@given(st.text())
def test_split_args_never_fails(text: str) -> None:
    assert isinstance(split_args(text), tuple)
