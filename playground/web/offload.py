"""Keep heavy work off the event loop: a bounded thread pool behind the fair scheduler.

The event loop only moves bytes; anything that can take more than a millisecond or two
(a training slice, building a frame, restoring or taking a snapshot, building a data set,
parsing a point file) runs in one of ``work_threads`` threads. NumPy releases the GIL
inside large array operations, and the interpreter hands the GIL back to the loop thread
every ``switch_interval_ms`` otherwise, so the loop keeps answering while a 170 ms frame
is being built (``benchmarks/load.py`` measures the longest stall).

- ``WorkPool.run(key, fn, ...)``: live-session work, in fair turns per session (see
  ``scheduler.py``); the thread's own CPU time is charged to the session.
- ``RestPool.run(fn, ...)``: REST work, at most ``rest_max_jobs`` at once and at most
  ``rest_max_queued`` more waiting (a page asks for a dozen data set previews at once);
  beyond that the request is refused at once with 503 (``Busy``) instead of queueing.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gzip
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playground.web.scheduler import FairScheduler

T = TypeVar("T")


def _timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    """Run ``fn`` and return its result with the CPU time this thread spent on it."""
    start = time.thread_time()
    result = fn(*args)
    return result, time.thread_time() - start


def lower_priority(nice: int) -> None:
    """Make the calling thread ``nice`` steps kinder (Linux: a thread is a task), so the
    event loop's thread wins the CPU over work threads when the machine is busy."""
    if nice > 0 and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)


def start_threads(executor: ThreadPoolExecutor, n: int) -> None:
    """Start ``n`` threads now: starting one later waits for it to be scheduled (tens of ms
    on a busy machine), on the event loop."""
    for future in [executor.submit(time.sleep, 0.01) for _ in range(n)]:
        future.result()


def json_body(content: bytes, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """A JSON body and its headers, gzipped here (in a REST thread) when the client accepts
    it: the gzip middleware would otherwise compress a 5,000-point answer on the loop."""
    if len(content) < 1024 or "gzip" not in accept_encoding.lower():
        return content, {}
    return gzip.compress(content, 6), {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}


def set_switch_interval(milliseconds: float) -> None:
    """How often a thread holding the GIL must offer it to the event loop (process-wide)."""
    sys.setswitchinterval(milliseconds / 1000.0)


def limit_blas_threads(threads: int) -> None:
    """Let BLAS (NumPy's matrix products) use ``threads`` threads in this process; 0 = as is.

    OpenBLAS starts a thread per core and keeps them spinning between products: beside
    the work threads they took the cores from the event loop (a thread repeating the
    largest frame's 40,000 x 32 products stalled the loop 275 ms at the 99th percentile
    with OpenBLAS's threads, 47 ms with one). The engine's matrices are too small to gain
    from more than one thread; sessions run in parallel instead.
    """
    if threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


class WorkPool:
    """Live-session work: a fair turn per call, then a thread of a bounded pool."""

    def __init__(self, threads: int, share: float, burst: float, nice: int = 0, *,
                 express: int = 0, light_share: float = 0.2) -> None:  # fmt: skip
        self.scheduler = FairScheduler(
            threads, share, burst, express=express, light_share=light_share
        )
        self.threads = threads + express
        self._executor = ThreadPoolExecutor(
            self.threads, "playground-work", initializer=lower_priority, initargs=(nice,)
        )

    def __repr__(self) -> str:
        return f"WorkPool({self.scheduler!r})"

    async def run(self, key: str, fn: Callable[..., T], *args: Any, charge: bool = True) -> T:
        """Run ``fn(*args)`` in the pool when ``key``'s fair turn comes; returns its result.

        The caller awaits the result, so a session is still touched by one task at a time.
        Cancelling the caller (its client left) does not interrupt a call that has started:
        the turn is held, and charged, until the call finishes in its thread. With
        ``charge=False`` the CPU is not charged to ``key``: a co-scheduled batch charges
        the sessions it served itself (``coschedule.py``).
        """
        loop = asyncio.get_running_loop()
        async with self.scheduler.turn(key) as turn:
            # the caller's context (the session id of log lines) goes with the work
            context = contextvars.copy_context()
            future = loop.run_in_executor(self._executor, context.run, _timed, fn, *args)
            try:
                result, cpu = await asyncio.shield(future)
            except asyncio.CancelledError:
                await asyncio.wait([future])
                if charge and not future.cancelled() and future.exception() is None:
                    turn.charge(future.result()[1])
                raise
            if charge:
                turn.charge(cpu)
        return result

    def start(self) -> None:
        """Start every thread now (at server start), not on a session's first frame."""
        start_threads(self._executor, self.threads)

    def forget(self, key: str) -> None:
        """The session has ended: drop its CPU account."""
        self.scheduler.forget(key)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Busy(Exception):
    """Every REST work slot is taken: answer 503 and let the client retry."""


class RestPool:
    """REST work (data sets, point files) in ``jobs`` threads, with ``queued`` more waiting."""

    def __init__(self, jobs: int, queued: int, nice: int = 0) -> None:
        self.jobs = jobs
        self.queued = queued
        self.pending = 0  # running or waiting for a thread
        self._executor = ThreadPoolExecutor(
            jobs, "playground-rest", initializer=lower_priority, initargs=(nice,)
        )

    def __repr__(self) -> str:
        return f"RestPool(jobs={self.jobs}, queued={self.queued}, pending={self.pending})"

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a thread, or raise ``Busy`` when ``jobs + queued`` are pending."""
        if self.pending >= self.jobs + self.queued:
            raise Busy(f"the server is busy with {self.pending} other requests; retry shortly")
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self.pending -= 1

    def start(self) -> None:
        """Start every thread now (at server start)."""
        start_threads(self._executor, self.jobs)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
