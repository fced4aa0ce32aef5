"""A graceful stop: on SIGTERM (or Ctrl+C) every page gets its snapshot, then close 1012.

uvicorn, told to stop, closes each WebSocket at once with 1012 and only then runs the
app's lifespan shutdown, too late to send anything. So the app wraps uvicorn's own signal
handler while it runs (installed from the lifespan startup, after uvicorn installed its
handler): the first signal asks every live connection to send its page the session
snapshot and close with **1012 service restart**, waits for them (at most
``shutdown_grace`` seconds), then hands the signal on to uvicorn, which stops as usual.
The page keeps the snapshot (sessionStorage) and restores it when it reconnects, to this
server restarted or to another replica. A second signal is handed on at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol

log = logging.getLogger("playground.web")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Restartable(Protocol):
    async def restart(self) -> None: ...


class Drain:
    """The live connections of one worker, and the signal handlers that drain them."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.draining = False
        self._connections: set[Restartable] = set()
        self._empty = asyncio.Event()
        self._empty.set()
        self._previous: dict[int, Any] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, connection: Restartable) -> None:
        self._connections.add(connection)
        self._empty.clear()

    def discard(self, connection: Restartable) -> None:
        self._connections.discard(connection)
        if not self._connections:
            self._empty.set()

    def __len__(self) -> int:
        return len(self._connections)

    async def close_all(self) -> None:
        """Ask every connection to send its snapshot and close 1012; wait until all left."""
        self.draining = True
        for connection in list(self._connections):
            await connection.restart()
        await self._empty.wait()

    # Signals -------------------------------------------------------------------------
    def install(self) -> None:
        """Wrap the current SIGTERM/SIGINT handlers (uvicorn's); main thread only."""
        if threading.current_thread() is not threading.main_thread():
            return  # a test client's portal thread: there are no signals to catch
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue  # default or ignored: nothing of uvicorn's to hand on to
            self._previous[sig] = previous
            signal.signal(sig, self._handler(loop, previous))

    def uninstall(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()

    def _handler(
        self, loop: asyncio.AbstractEventLoop, previous: Callable[[int, FrameType | None], Any]
    ) -> Callable[[int, FrameType | None], None]:
        def handle(signum: int, frame: FrameType | None) -> None:
            if self.draining:
                previous(signum, frame)
                return
            self.draining = True
            loop.call_soon_threadsafe(self._start, previous, signum, frame)

        return handle

    def _start(
        self, previous: Callable[[int, FrameType | None], Any], signum: int, frame: Any
    ) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._drain_then(previous, signum, frame)
        )

    async def _drain_then(
        self, previous: Callable[[int, FrameType | None], Any], signum: int, frame: Any
    ) -> None:
        count = len(self)
        log.info("stopping: sending %d live session(s) a snapshot, then close 1012", count)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.close_all(), timeout=self.grace)
        if len(self):
            log.warning(
                "%d session(s) still open after %.1f s; stopping anyway", len(self), self.grace
            )
        previous(signum, frame)
