"""SIGTERM to a real `nn-playground serve`: each page gets its snapshot, then close 1012."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.web.test_server import Client, _free_port, _wait_ready

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


async def _stopped_while_connected(
    process: subprocess.Popen[bytes], port: int, steps: int
) -> tuple[list[Any], int, str]:
    """Two pages train, the server gets SIGTERM; what each page received until the close."""
    async with (
        connect(f"ws://127.0.0.1:{port}/ws") as ws_a,
        connect(f"ws://127.0.0.1:{port}/ws") as ws_b,
    ):
        pages = [Client(ws_a), Client(ws_b)]
        for page in pages:
            await page.expect("hello")
            await page.frame()
        await pages[0].send("step", n=steps)
        await pages[0].frame(step=steps)
        process.send_signal(signal.SIGTERM)
        received: list[Any] = []
        try:
            while True:  # page A reads until the server closes (frames are acknowledged)
                item = await pages[0].recv()
                if isinstance(item, tuple):
                    await pages[0].send("ack", seq=item[0]["seq"])
                received.append(item)
        except ConnectionClosed as closed:
            close_a = closed.rcvd
        with pytest.raises(ConnectionClosed) as closed_b:
            while True:
                await pages[1].recv()
        assert closed_b.value.rcvd is not None and closed_b.value.rcvd.code == 1012
        assert close_a is not None
        return received, close_a.code, close_a.reason


def test_sigterm_sends_each_page_its_snapshot_then_closes_1012() -> None:
    port = _free_port()
    env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "playground", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_ready(process, port)
        received, code, reason = asyncio.run(_stopped_while_connected(process, port, 37))
        # then it stopped as uvicorn does: exit 0, or re-raising the signal it caught
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (code, reason) == (1012, "service restart")
    messages = [m for m in received if isinstance(m, dict)]
    assert messages and messages[-1]["type"] == "snapshot", [m.get("type") for m in messages]
    snapshot = messages[-1]["snapshot"]
    assert str(snapshot["format"]).startswith("nn-playground.session")
    assert snapshot["runs"][0]["trainer"]["step"] == 37  # the trained state, not a fresh one
