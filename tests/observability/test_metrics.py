"""Sends and 429s are counted per platform and path, through the kernel's send observer."""

from __future__ import annotations

from bot.core.delivery import deliver
from bot.core.pacing import RateLimits
from bot.core.types import ChatRef, IncomingMessage, JoinRequest, OutgoingMessage, UserRef
from bot.observability.metrics import Metrics, event_kind
from tests.fakes import LimitedPlatform


def value(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


async def test_a_429_then_a_send_are_both_counted_and_nothing_after_close() -> None:
    platform = LimitedPlatform(
        RateLimits(per_second=100, chat_interval=0.0), throttle_once={"u1"}, retry_after=0.01
    )
    blocked = LimitedPlatform(RateLimits(per_second=100, chat_interval=0.0), name="other", blocked={"u2"})
    metrics = Metrics()
    metrics.observe_sends()
    try:
        await deliver({"limited": platform}, OutgoingMessage(UserRef("limited", "u1"), "hello"))
        await deliver({"other": blocked}, OutgoingMessage(UserRef("other", "u2"), "hello"))
    finally:
        metrics.close()
    await deliver({"limited": platform}, OutgoingMessage(UserRef("limited", "u1"), "again"))

    assert value(metrics, "copbot_rate_limited_total", platform="limited", path="interactive") == 1
    assert value(metrics, "copbot_sends_total", platform="limited", path="interactive", outcome="sent") == 1
    assert (
        value(metrics, "copbot_sends_total", platform="other", path="interactive", outcome="unreachable") == 1
    )
    assert len(platform.delivered) == 2  # the last send happened, uncounted


def test_events_are_labelled_by_kind() -> None:
    sender, chat = UserRef("console", "a"), ChatRef("console", "a")
    assert event_kind(IncomingMessage(event_id="1", sender=sender, chat=chat, text="/help")) == "command"
    assert event_kind(IncomingMessage(event_id="2", sender=sender, chat=chat, text="hi")) == "message"
    assert event_kind(IncomingMessage(event_id="3", sender=sender, chat=chat, button="wiki:1")) == "button"
    assert event_kind(JoinRequest(event_id="4", sender=sender, chat=chat)) == "join_request"
