"""A loop-lag probe: how long the event loop was unable to run a ready callback.

Enabled with ``PLAYGROUND_LOOP_PROBE=true`` (off by default: it wakes the loop 200 times
a second). A task sleeps ``interval`` seconds again and again; the time it wakes up late
is a stall, during which no frame could be sent and no message read. ``GET /api/health``
then reports ``loop_stall_ms``, the longest stall since the previous health request
(``benchmarks/load.py`` reads it to check the "never blocked for more than 20 ms" goal).
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class LoopProbe:
    """Measure the event loop's longest stall; ``take`` returns and resets it."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.longest = 0.0
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
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            late = time.perf_counter() - start - self.interval
            self.longest = max(self.longest, late)

    def take(self) -> float:
        """The longest stall (seconds) since the previous ``take``."""
        longest, self.longest = self.longest, 0.0
        return longest
