"""`nn-playground serve --workers N`: N processes, each with its own SO_REUSEPORT socket,
kept alive by a supervisor that passes SIGTERM on so every worker drains its pages."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.web.test_server import Client, _free_port, _health, _wait_ready

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_REUSEPORT workers, read from /proc"
)


def _children(pid: int) -> set[int]:
    """The live (not zombie) child processes of ``pid``, from /proc."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return set()
    alive = set()
    for child in listed:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(int(child))
    return alive


def _serve(port: int, *args: str, stderr: int | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "playground", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


async def _pages_until_closed(port: int, n: int, process: subprocess.Popen[bytes]
                              ) -> list[tuple[int, str, str]]:  # fmt: skip
    """``n`` pages train a few steps; SIGTERM the supervisor; each page's close and the
    type of its last message."""
    pages = []
    sockets = [await connect(f"ws://127.0.0.1:{port}/ws") for _ in range(n)]
    try:
        for ws in sockets:
            page = Client(ws)
            await page.expect("hello")
            await page.frame()
            await page.send("step", n=7)
            await page.frame(step=7)
            pages.append(page)
        process.send_signal(signal.SIGTERM)
        # every page reads at once: an old websockets client (13.0, the lowest allowed)
        # may drop a message that arrived with its close before anyone read it
        return list(await asyncio.gather(*(_until_closed(page) for page in pages)))
    finally:
        for ws in sockets:
            await ws.close()


async def _until_closed(page: Client) -> tuple[int, str, str]:
    """Read one page until its socket closes: the close code, reason and the type of the
    last JSON message before it."""
    last = ""
    try:
        while True:
            item = await page.recv()
            if isinstance(item, dict):
                last = item["type"]
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        return closed.rcvd.code, closed.rcvd.reason, last


def test_workers_each_listen_restart_when_killed_and_drain_on_sigterm() -> None:
    port = _free_port()
    process = _serve(port, "--workers", "2")
    try:
        _wait_ready(process, port)
        _wait_for(lambda: len(_children(process.pid)) >= 2)
        workers = _children(process.pid)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)  # a worker dies: another takes its place
        _wait_for(lambda: victim not in _children(process.pid)
                  and len(_children(process.pid)) >= 2)  # fmt: skip
        _wait_for(lambda: _health(port)["status"] == "ok")
        # every page of every worker gets its snapshot, then "service restart"
        closes = asyncio.run(_pages_until_closed(port, 6, process))
        assert closes == [(1012, "service restart", "snapshot")] * 6
        assert process.wait(timeout=40) == 0
        assert _children(process.pid) == set()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket() as taken:  # listening without SO_REUSEPORT: nobody may join it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(port, "--workers", "2", stderr=subprocess.PIPE)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()
