from __future__ import annotations

import pytest

from bot.core.pacing import HEADROOM, UNLIMITED, Pacer, RateLimits
from bot.platforms.telegram.limits import BOT_API_LIMITS as TELEGRAM_LIMITS

SECOND = 1.0 / HEADROOM  # every limit is kept with some headroom


def test_overall_pace_spaces_every_message() -> None:
    pacer = Pacer(RateLimits(per_second=30))
    slots = [pacer.reserve(f"chat{n}", False, 0.0) for n in range(90)]
    assert slots[0] == 0.0
    assert slots[-1] == pytest.approx(89 / (30 * HEADROOM))
    # never more than 30 in any one-second window
    assert all(slots[n + 30] - slots[n] >= 1.0 for n in range(60))


def test_one_message_per_second_to_a_chat_while_others_pass() -> None:
    pacer = Pacer(TELEGRAM_LIMITS)
    assert pacer.reserve("alice", False, 0.0) == 0.0
    assert pacer.earliest("alice", False, 0.0) == pytest.approx(SECOND)
    assert pacer.reserve("bob", False, 0.0) == pytest.approx(1 / (30 * HEADROOM))
    assert pacer.reserve("alice", False, 0.0) == pytest.approx(SECOND)
    assert pacer.earliest("alice", False, 0.5) == pytest.approx(2 * SECOND)


def test_twenty_messages_a_minute_to_a_group() -> None:
    pacer = Pacer(TELEGRAM_LIMITS)
    slots = [pacer.reserve("group", True, 0.0) for _ in range(21)]
    assert slots[19] == pytest.approx(19 * SECOND)  # one a second
    assert slots[20] == pytest.approx(60 * SECOND)  # the 21st waits for the minute


def test_a_pause_holds_everything_until_it_ends() -> None:
    pacer = Pacer(TELEGRAM_LIMITS)
    pacer.pause(5.0)
    assert pacer.ready(1.0) == 5.0
    assert pacer.reserve("x", False, 1.0) == 5.0
    unlimited = Pacer(UNLIMITED)
    assert [unlimited.reserve("x", False, 3.0) for _ in range(3)] == [3.0, 3.0, 3.0]


def test_delay_judges_the_sends_actually_made() -> None:
    pacer = Pacer(RateLimits(per_second=2 / HEADROOM, chat_interval=HEADROOM, group_per_minute=3))
    pacer.sent("a", False, 0.5)  # planned for 0.0, made late
    pacer.sent("b", False, 0.6)
    assert pacer.delay("c", False, 1.0) == pytest.approx(0.5)  # 2 sends in (0.5, 1.5]
    assert pacer.delay("a", False, 1.2) == pytest.approx(0.3)  # a's last send was at 0.5
    for at in (10.0, 11.0, 12.0):
        pacer.sent("g", True, at)
    assert pacer.delay("g", True, 30.0) == pytest.approx(10.0 + 60 * SECOND - 30.0)
    pacer.pause(100.0)
    assert pacer.delay("z", False, 50.0) == pytest.approx(50.0)
