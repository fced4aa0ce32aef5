"""Token bucket and abuse window, driven by an explicit clock."""

from __future__ import annotations

import pytest

from playground.web.limits import TokenBucket, WindowCounter


def test_bucket_allows_a_burst_then_the_sustained_rate() -> None:
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert [bucket.allow(0.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.allow(0.05) is False, "half a token is not a token"
    assert bucket.allow(0.1) is True
    assert bucket.allow(100.0) and sum(bucket.allow(100.0) for _ in range(10)) == 4


def test_window_counts_only_recent_events() -> None:
    window = WindowCounter(limit=2, window=10.0)
    assert not window.add(0.0) and not window.add(1.0)
    assert window.add(2.0), "third event within 10 s exceeds the limit"
    assert not window.add(12.5), "events at 0, 1 and 2 s have left the window"


@pytest.mark.parametrize("args", [(0, 1), (-1, 5), (1, 0)])
def test_bucket_rejects_bad_parameters(args: tuple[float, int]) -> None:
    with pytest.raises(ValueError):
        TokenBucket(args[0], args[1], 0.0)


def test_window_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError):
        WindowCounter(0, 1.0)
