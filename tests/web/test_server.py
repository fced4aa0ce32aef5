"""The real server: `nn-playground serve` processes driven by the `websockets` client.

Two separately started processes share nothing; a run snapshotted on one and restored
on the other must continue bit-for-bit (the basis of scaling without sticky sessions).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from websockets.asyncio.client import ClientConnection, connect

from playground.web.frames import decode_frame

SERVE = Path(sys.executable).with_name("nn-playground")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
        return dict(json.load(r))


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            _health(port)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@pytest.fixture(scope="module")
def servers() -> Iterator[list[int]]:
    """Two `nn-playground serve` processes on free ports."""
    env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "warning", "PLAYGROUND_MAX_FPS": "200"}
    ports = [_free_port(), _free_port()]
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]
    processes = [
        subprocess.Popen([*command, "serve", "--port", str(port)], env=env) for port in ports
    ]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_ready(process, port)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


class Client:
    """A tiny protocol client over a real socket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, type: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"type": type, **fields}))

    async def recv(self) -> Any:
        message = await asyncio.wait_for(self.ws.recv(), timeout=10)
        if isinstance(message, bytes):
            return decode_frame(message)
        return json.loads(message)

    async def expect(self, type: str) -> dict[str, Any]:
        while True:
            item = await self.recv()
            if isinstance(item, tuple):
                await self.send("ack", seq=item[0]["seq"])
            elif item["type"] == type:
                return dict(item)

    async def frame(self, step: int | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The next frame (acknowledged), or the first one at training step ``step``."""
        while True:
            item = await self.recv()
            if isinstance(item, tuple):
                await self.send("ack", seq=item[0]["seq"])
                if step is None or item[0]["step"] == step:
                    return item


async def _play_xor(port: int) -> tuple[list[float], int]:
    async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        hello = await client.recv()
        assert hello["type"] == "hello" and hello["limits"]["max_fps"] == 200
        await client.frame()
        await client.send("configure", config={"dataset": "xor", "hidden": [8]})
        await client.expect("config")
        await client.send("set", changes={"learning_rate": 0.1})
        await client.expect("config")
        await client.send("play")
        losses = [(await client.frame())[0]["train_loss"] for _ in range(30)]
        sessions = _health(port)["sessions"]
        await client.send("pause")
        await client.expect("event")
    return losses, sessions


def test_real_server_streams_frames_and_frees_the_session(servers: list[int]) -> None:
    port = servers[0]
    losses, sessions = asyncio.run(_play_xor(port))
    assert sessions == 1
    assert losses[-1] < 0.6 * losses[0]
    deadline = time.monotonic() + 5
    while _health(port)["sessions"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _health(port)["sessions"] == 0
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
        assert page.status == 200 and b"bootstrap" in page.read()


async def _run_on(port: int, snapshot: dict[str, Any] | None, steps: int) -> Any:
    async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        await client.expect("hello")
        await client.frame()
        if snapshot is None:
            config = {"dataset": "moons", "noise": 20, "hidden": [5, 5], "optimizer": "rmsprop",
                      "learning_rate": 0.01, "dropout": 0.1, "batch_size": 8}  # fmt: skip
            await client.send("configure", config=config)
            await client.expect("config")
            await client.send("step", n=57)
            await client.frame(step=57)
            await client.send("snapshot")
            snapshot = (await client.expect("snapshot"))["snapshot"]
        else:
            await client.send("restore", snapshot=snapshot)
            assert (await client.expect("config"))["change"] == "restore"
            await client.frame()
        await client.send("step", n=steps)
        return snapshot, await client.frame(step=57 + steps)


def test_snapshot_continues_bit_for_bit_on_another_process(servers: list[int]) -> None:
    first, second = servers
    snapshot, (expected, expected_arrays) = asyncio.run(_run_on(first, None, 63))
    _, (got, got_arrays) = asyncio.run(_run_on(second, snapshot, 63))
    assert got["step"] == expected["step"] == 120
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "epoch"):
        assert got[key] == expected[key], key
    for name in ("W0", "b0", "W1", "b1", "W2", "b2", "output", "neurons"):
        assert got_arrays[name].tobytes() == expected_arrays[name].tobytes(), name


async def _slow_reader(port: int) -> list[Any]:
    async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        await client.send("set", changes={"speed": 1})
        await client.send("play")
        await asyncio.sleep(0.5)  # a page that neither reads nor acks
        received = []
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=0.3)
            except TimeoutError:
                return received
            received.append(message)


def test_a_slow_reader_gets_one_frame_over_a_real_socket(servers: list[int]) -> None:
    received = asyncio.run(_slow_reader(servers[1]))
    frames = [m for m in received if isinstance(m, bytes)]
    kinds = [json.loads(m)["type"] for m in received if isinstance(m, str)]
    assert len(frames) == 1, "nothing beyond the unacknowledged frame was sent"
    assert kinds == ["hello", "config", "event"]


async def _big_then_small(port: int) -> tuple[int, int, list[str]]:
    async with connect(f"ws://127.0.0.1:{port}/ws", max_size=2**24) as ws:
        client = Client(ws)
        await client.recv()
        await client.frame()
        big = {"hidden": [32] * 4, "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2"]}
        await client.send("configure", config=big)
        await client.expect("config")
        await client.send("set", changes={"resolution": 200, "neuron_resolution": 64})
        await client.expect("config")
        header, arrays = await client.frame()
        size = sum(a.nbytes for a in arrays.values())
        await client.send("set", changes={"resolution": 50, "neuron_resolution": 10})
        await client.expect("config")
        small_header, small = await client.frame()
        extensions = [type(e).__name__ for e in ws.protocol.extensions]
        return size, sum(a.nbytes for a in small.values()), extensions


def test_big_and_small_frames_share_a_socket_with_selective_deflate(servers: list[int]) -> None:
    """`serve` runs deflate.py's protocol: a frame above ``ws_deflate_max_bytes`` (sent raw)
    between compressed ones leaves both ends' deflate contexts in step."""
    big, small, extensions = asyncio.run(_big_then_small(servers[0]))
    assert extensions == ["PerMessageDeflate"]  # negotiated
    assert big > 65_536 > small  # all decoded


LESSON = {"dataset": "spiral", "hidden": [8] * 6, "activation": "tanh", "seed": 9}


def _lone_frame(step: int) -> dict[str, np.ndarray]:
    """The arrays of a frame of ``LESSON`` trained alone to ``step``, built in-process."""
    from playground.web.live import LiveSession
    from playground.web.protocol import parse_message

    session = LiveSession("lone")
    session.handle(parse_message(json.dumps({"type": "configure", "config": LESSON})))
    if step:
        session.handle(parse_message(json.dumps({"type": "step", "n": step})))
    while session.has_work():
        session.work(1.0)
    return decode_frame(session.next_frame()[0])[1]


async def _one_lesson(port: int) -> tuple[list[list[tuple[dict[str, Any], Any]]], Any, list[str]]:
    url = f"ws://127.0.0.1:{port}/ws"
    async with connect(url, max_size=2**24) as ws_a, connect(url, max_size=2**24) as ws_b:
        pages = [Client(ws_a), Client(ws_b)]
        for page in pages:
            await page.recv()
            await page.frame()
            await page.send("configure", config=LESSON)
            await page.expect("config")
        frames: list[list[tuple[dict[str, Any], Any]]] = [[], []]
        await pages[0].send("play")
        frames[0] += [await pages[0].frame() for _ in range(5)]
        await pages[1].send("play")  # later: it follows the path the first one walked
        for _ in range(15):
            for i, page in enumerate(pages):
                frames[i].append(await page.frame())
        health = _health(port)["coschedule"]
        # off the path: a weight edit; its frames are deflated by the connection's own
        # compressor again, right after shared ones (the two ends must stay in step)
        await pages[1].send("pause")
        await pages[1].expect("event")
        await pages[1].send("set_weight", layer=0, kind="weight", i=0, j=0, value=0.5)
        await pages[1].send("play")
        frames[1] += [await pages[1].frame() for _ in range(5)]
        await pages[0].send("set", changes={"speed": 5})
        await pages[0].expect("config")
        frames[0] += [await pages[0].frame() for _ in range(5)]
        extensions = [type(e).__name__ for e in ws_b.protocol.extensions]
        for page in pages:
            await page.send("pause")
    return frames, health, extensions


def test_pages_on_one_lesson_get_their_lone_frames_through_shared_deflate(
    servers: list[int],
) -> None:
    """Two real pages of one config on one worker: the pictures are drawn and deflated
    once (shared_frames), every frame decodes, and it is the lone run's frame."""
    frames, health, extensions = asyncio.run(_one_lesson(servers[1]))
    assert extensions == ["PerMessageDeflate"]
    assert health["shared_frames"] > 0 and health["memo_steps"] > 0, health
    for header, arrays in frames[1][:16:5]:  # the follower's frames
        lone = _lone_frame(header["step"])
        for name in ("W0", "b0", "W6", "b6"):  # the weights: the same training, bit for bit
            np.testing.assert_array_equal(arrays[name], lone[name])
        # the pictures: float32 sums in another order here (this process's BLAS threads)
        # may tip a code over a rounding edge
        for name in ("output", "neurons"):
            assert np.abs(arrays[name].astype(int) - lone[name]).max() <= 1
        np.testing.assert_allclose(arrays["neuron_ranges"], lone["neuron_ranges"], rtol=1e-5)
    steps = [header["step"] for header, _ in frames[0]]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert all(np.isfinite(a["W0"]).all() for _, a in frames[1][-5:])
