"""Per-connection input limits: a token bucket for message rate, a window counter for abuse.

A browser that misbehaves once gets an ``error`` and keeps its session; only a client
that keeps misbehaving (many rejections in a short window) is disconnected. Both
classes take the clock as an argument so tests can drive them without sleeping.
"""

from __future__ import annotations

from collections import deque

#: parsed commands one connection may have waiting for its runner; the reader stops
#: reading (and TCP pushes back on the client) while they wait
MAX_QUEUED_COMMANDS = 2


class TokenBucket:
    """Allow ``rate`` events per second on average and bursts of up to ``burst`` events."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got rate={rate}, burst={burst}")
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._last = now

    def allow(self, now: float) -> bool:
        """Take one token if there is one; False means the event is over the limit."""
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate}, burst={self.burst:g}, tokens={self._tokens:.1f})"


class WindowCounter:
    """Count events in a sliding time window; ``exceeded`` once more than ``limit`` fall in it."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"limit must be >= 1 and window > 0, got {limit}, {window}")
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque()

    def add(self, now: float) -> bool:
        """Record one event; return True when the count within the window exceeds the limit."""
        self._times.append(now)
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        return len(self._times) > self.limit

    def __repr__(self) -> str:
        return f"WindowCounter(limit={self.limit}, window={self.window}, count={len(self._times)})"
