"""Copbot messages to Matrix content, and numbered buttons read back (no server needed)."""

from __future__ import annotations

from bot.core.text import Text, bold
from bot.core.types import Button
from bot.platforms.matrix.render import Keyboards, edit_content, message_content

BUTTONS = ((Button("Approve", "app:ok:1"), Button("Reject", "app:no:1")),)


def test_user_content_is_escaped_and_buttons_are_numbered() -> None:
    content = message_content(Text.of(bold("New"), " <script>&"), BUTTONS)
    assert content["body"] == "New <script>&\n\n1. Approve\n2. Reject"
    assert (
        content["formatted_body"] == "<b>New</b> &lt;script&gt;&amp;<ol><li>Approve</li><li>Reject</li></ol>"
    )
    assert content["format"] == "org.matrix.custom.html"


def test_a_thread_message_falls_back_to_a_reply_to_its_root() -> None:
    content = message_content(Text.of("hi"), thread_root="$root")
    assert content["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$root"},
    }
    assert message_content(Text.of("hi"), reply_to="$q")["m.relates_to"] == {
        "m.in_reply_to": {"event_id": "$q"}
    }


def test_an_edit_replaces_the_content_of_the_original() -> None:
    edit = edit_content("$orig", message_content(Text.of("new"), thread_root="$root"))
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}
    assert edit["m.new_content"]["body"] == "new"
    assert "m.relates_to" not in edit["m.new_content"]


def test_a_number_presses_the_current_keyboard_of_a_direct_chat_only() -> None:
    keyboards = Keyboards()
    keyboards.shown("!dm", "$card", BUTTONS)
    assert keyboards.press("!dm", "2", None, is_direct=True) == "app:no:1"
    assert keyboards.press("!dm", "#1", None, is_direct=True) == "app:ok:1"
    assert keyboards.press("!dm", "3", None, is_direct=True) is None  # out of range: text
    assert keyboards.press("!dm", "2 please", None, is_direct=True) is None
    assert keyboards.press("!group", "1", None, is_direct=False) is None
    keyboards.shown("!dm", "$question", ())
    assert keyboards.press("!dm", "2", None, is_direct=True) is None  # a later question without buttons


def test_in_a_group_a_number_answering_a_card_presses_that_card() -> None:
    keyboards = Keyboards()
    keyboards.shown("!mods", "$card1", BUTTONS)
    keyboards.shown("!mods", "$card2", ((Button("Approve", "app:ok:2"),),))
    assert keyboards.press("!mods", "1", "$card1", is_direct=False) == "app:ok:1"
    assert keyboards.press("!mods", "1", "$card2", is_direct=False) == "app:ok:2"
    assert keyboards.press("!mods", "1", None, is_direct=False) is None


def test_a_reaction_chooses_an_option_of_the_message_it_is_on() -> None:
    keyboards = Keyboards()
    keyboards.shown("!mods", "$card", BUTTONS)
    assert keyboards.chosen("$card", 2) == "app:no:1"
    assert keyboards.chosen("$card", 3) is None
    assert keyboards.chosen("$other", 1) is None
