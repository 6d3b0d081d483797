from __future__ import annotations

from bot.core.flood import FloodLimiter, Verdict


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_one_warning_then_silence_until_refilled() -> None:
    ticker = Ticker()
    limiter = FloodLimiter(rate=1.0, burst=3, clock=ticker)
    assert [limiter.check("u") for _ in range(3)] == [Verdict.ALLOW] * 3
    assert limiter.check("u") is Verdict.WARN
    assert limiter.check("u") is Verdict.DROP
    ticker.now += 1.0
    assert limiter.check("u") is Verdict.ALLOW
    assert limiter.check("u") is Verdict.WARN


def test_users_have_separate_buckets() -> None:
    limiter = FloodLimiter(rate=0.1, burst=1, clock=Ticker())
    assert limiter.check("a") is Verdict.ALLOW
    assert limiter.check("a") is Verdict.WARN
    assert limiter.check("b") is Verdict.ALLOW


def test_full_buckets_are_forgotten_when_tracking_too_many() -> None:
    ticker = Ticker()
    limiter = FloodLimiter(rate=1.0, burst=2, clock=ticker, max_tracked=2)
    limiter.check("a")
    limiter.check("b")
    ticker.now += 10
    limiter.check("c")
    assert set(limiter._buckets) == {"c"}
