"""``serve --workers N``: N worker processes, each with a listening socket of its own.

uvicorn's own multi-worker mode binds one socket that every worker accepts from, and a
worker woken for a new connection accepts *every* connection waiting: when a class opens
the page within a second, one worker took 23 of 30 sessions, or all 30, while the other
idled (measured with ``benchmarks/load.py``). A worker is one event loop and one GIL, so
its sessions then got half the frames the machine could give them.

Here every worker binds its own socket to the same address with ``SO_REUSEPORT`` (Linux,
the BSDs), and the kernel spreads new connections across the workers' sockets by their
address hash: 30 sessions land 15/15 to 19/11, not 30/0. This supervisor starts the
workers, restarts one that dies, and on SIGTERM / SIGINT passes the signal on and waits
for them (each sends its pages their snapshot first: ``shutdown.Drain``). Where
``SO_REUSEPORT`` is missing, ``serve`` falls back to uvicorn's shared socket.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger("playground.web")
RESTART_PAUSE = 1.0  # seconds between restarts of a worker that keeps dying


def reuse_port_supported() -> bool:
    """True where several sockets may listen on one port (``SO_REUSEPORT``)."""
    return hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT`` (not yet listening)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                               flags=socket.AI_PASSIVE)  # fmt: skip
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def _worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket, one uvicorn server (``options``: its Config).

    The worker leaves the terminal's process group, so Ctrl+C reaches the supervisor only,
    which then stops each worker with one SIGTERM (two signals would skip the drain).
    """
    import os

    import uvicorn

    if hasattr(os, "setpgrp"):
        os.setpgrp()
    config = uvicorn.Config(**options)
    sock = reuse_port_socket(config.host, config.port)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Runs ``workers`` processes of ``_worker(options)`` until a signal asks to stop."""

    def __init__(self, options: dict[str, Any], workers: int, *,
                 grace: float = 30.0) -> None:  # fmt: skip
        self.options = options
        self.workers = workers
        self.grace = grace  # seconds the workers get to drain before they are killed
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[BaseProcess] = []

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=_worker, args=(self.options,),
                                        name="playground-worker")  # fmt: skip
        process.start()
        return process

    def run(self) -> int:
        """Start the workers, keep them running, stop them on a signal; the exit code."""
        # the address is checked here, once: a port in use is one clear error, not N
        reuse_port_socket(self.options["host"], self.options["port"]).close()
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            self._processes = [self._start() for _ in range(self.workers)]
            while not self._stop.wait(0.5):
                self._keep_alive()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all()
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _keep_alive(self) -> None:
        for i, process in enumerate(self._processes):
            if not process.is_alive() and not self._stop.is_set():
                log.warning("worker %s exited with code %s; starting another",
                            process.pid, process.exitcode)  # fmt: skip
                time.sleep(RESTART_PAUSE)
                self._processes[i] = self._start()

    def _stop_all(self) -> None:
        """SIGTERM every worker (each drains its sessions), then wait; kill stragglers."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + self.grace + 5.0
        for process in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
                 if s is not None)  # fmt: skip


def serve_workers(options: dict[str, Any], workers: int, grace: float) -> int:
    """Run ``workers`` uvicorn servers with the Config ``options``, one socket each."""
    return Supervisor(options, workers, grace=grace).run()
