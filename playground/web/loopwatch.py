"""A loop-lag probe: how long the event loop was unable to run a ready callback.

Enabled with ``PLAYGROUND_LOOP_PROBE=true`` (off by default: it wakes the loop 200 times
a second). A task sleeps ``interval`` seconds again and again; the time it wakes up late
is a stall, during which no frame could be sent and no message read. ``GET /api/health``
then reports, since the previous health request:

- ``loop_stall_ms``: the longest stall (wall clock), and ``loop_stall_p99_ms``, the 99th
  percentile of the wake-ups;
- ``loop_busy_ms``: the most CPU the loop's thread used within one wake-up interval. A
  piece of work that blocks the loop shows here whatever else runs on the machine, while
  on a busy machine the operating system alone makes an idle loop wake up late now and
  then (which the wall-clock figures include). On a quiet machine the two agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque


class LoopProbe:
    """Measure the event loop's stalls; ``take`` returns and resets them."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.longest = 0.0
        self.busiest = 0.0
        self._lags: deque[float] = deque(maxlen=20_000)
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"LoopProbe(interval={self.interval}, longest={self.longest * 1000:.1f} ms)"

    def start(self) -> None:
        """Start probing on the running loop (once)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._probe())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _probe(self) -> None:
        while True:
            start, cpu = time.perf_counter(), time.thread_time()  # the loop's own thread
            await asyncio.sleep(self.interval)
            late = time.perf_counter() - start - self.interval
            self.longest = max(self.longest, late)
            self.busiest = max(self.busiest, time.thread_time() - cpu)
            self._lags.append(late)

    def take(self) -> dict[str, float]:
        """``stall``, ``p99`` and ``busy`` (seconds, see the module docstring); then reset."""
        lags = sorted(self._lags)
        p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))] if lags else 0.0
        taken = {"stall": self.longest, "p99": p99, "busy": self.busiest}
        self.longest = self.busiest = 0.0
        self._lags.clear()
        return taken
