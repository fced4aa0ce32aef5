"""Fairness: a default client's frames/s while one heavy client works beside it.

Part of ``benchmarks/load.py`` (also runnable alone). One server worker is started with
``PLAYGROUND_LOOP_PROBE=true``; for each scenario a default client plays (acking every
frame, as in ``load.py``) next to one heavy client, and the script prints the default
client's frames/s and the longest event-loop stall the server saw (``loop_stall_ms``
from ``/api/health``, reset at the start of each scenario). Heavy clients (issue 15):

- ``frames``: the largest network (9 features, 8 x 32 hidden, 5,000 points) at speed 1
  with a 200 output grid, 64 neuron grids and diagnostics (the largest frame);
  ``frames3``: three such clients (more heavy sessions than work threads).
- ``restore``: ``restore`` of a ~0.5 MB snapshot (5,000 custom points, 8 x 32), again
  and again, each as soon as the previous one is answered.
- ``steps``: the largest network with batch 1,000 at speed 100 (big training steps).
- ``dataset``: two loops of ``POST /api/dataset`` with 5,000 points.

Goals: a default client keeps >= 25 frames/s (of its ~29 alone) and the loop never
stalls for more than 20 ms. The clients share the machine's cores with the server, and
on a busy machine the figures are relative only: there even an idle server (scenario
``idle``) wakes up late now and then. The last column, the most CPU the loop's own thread
used within one 5 ms probe interval, shows what the server's code holds the loop for,
whatever the machine's load (see ``playground/web/loopwatch.py``).

Run: ``python benchmarks/fairness.py [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from load import ClientStats, client, free_port, start_server
from websockets.asyncio.client import ClientConnection, connect

ALL_FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "r", "theta"]
LARGEST = {"features": ALL_FEATURES, "hidden": [32] * 8, "n_points": 5000}
BIG_VIEW = {"speed": 1, "resolution": 200, "neuron_resolution": 64, "diagnostics": True}


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30) as r:
        answer: dict[str, Any] = json.loads(r.read())
        return answer


async def _until(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """Read (and ack frames) until a JSON message of type ``kind`` arrives."""
    while True:
        message = await ws.recv()
        if isinstance(message, bytes):
            continue
        data: dict[str, Any] = json.loads(message)
        if data.get("type") == kind:
            return data
        if data.get("type") == "error":
            raise RuntimeError(data)


async def _player(url: str, stop: float, config: dict[str, Any], view: dict[str, Any]) -> None:
    from load import frame_seq

    async with connect(url, max_size=2**25, open_timeout=30) as ws:
        await ws.send(json.dumps({"type": "configure", "config": config}))
        await ws.send(json.dumps({"type": "set", "changes": view}))
        await ws.send(json.dumps({"type": "play"}))
        while (remaining := stop - time.monotonic()) > 0:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=remaining)
            except TimeoutError:
                return
            if isinstance(message, bytes):
                await ws.send(json.dumps({"type": "ack", "seq": frame_seq(message)}))


def big_snapshot() -> dict[str, Any]:
    """A session snapshot of the largest network on 5,000 custom points, a few steps in."""
    from playground.config import RunConfig
    from playground.engine.trainer import Trainer

    rng = np.random.default_rng(0)
    xy = rng.uniform(-5, 5, size=(5000, 2))
    points = [[float(x), float(y), float(x * y > 0)] for x, y in xy]
    config = RunConfig(dataset="custom", custom_points=points, **{**LARGEST, "n_points": 500})
    trainer = Trainer(config)
    trainer.run(max_steps=20)
    view = {"speed": 25, "resolution": 100, "neuron_resolution": 24, "diagnostics": False,
            "stop_epoch": 0}  # fmt: skip
    return {"format": "nn-playground.session/2", "selected": "A", "view": view,
            "runs": [{"id": "A", "parent": None, "forked_at": None,
                      "trainer": trainer.snapshot()}]}  # fmt: skip


async def heavy_frames(url: str, port: int, stop: float) -> None:
    await _player(url, stop, LARGEST, BIG_VIEW)


async def heavy_frames_x3(url: str, port: int, stop: float) -> None:
    await asyncio.gather(*(heavy_frames(url, port, stop) for _ in range(3)))


async def heavy_steps(url: str, port: int, stop: float) -> None:
    await _player(url, stop, {**LARGEST, "batch_size": 1000}, {"speed": 100})


async def heavy_restore(url: str, port: int, stop: float) -> None:
    text = json.dumps({"type": "restore", "snapshot": big_snapshot()})
    async with connect(url, max_size=2**25, open_timeout=30) as ws:
        await _until(ws, "hello")
        while time.monotonic() < stop:
            await ws.send(text)
            await _until(ws, "timeline")


async def heavy_dataset(url: str, port: int, stop: float) -> None:
    body = json.dumps({"config": {"n_points": 5000}}).encode()

    def post() -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/dataset",
            data=body,
            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()

    async def loop() -> None:
        while time.monotonic() < stop:
            await asyncio.to_thread(post)

    await asyncio.gather(loop(), loop())


Heavy = Callable[[str, int, float], Awaitable[None]]


async def nobody(url: str, port: int, stop: float) -> None:
    """No client at all: the stalls an idle server sees (the machine's own noise)."""
    await asyncio.sleep(stop - time.monotonic())


SCENARIOS: dict[str, Heavy | None] = {
    "idle": nobody,
    "alone": None,
    "frames": heavy_frames,
    "frames3": heavy_frames_x3,
    "restore": heavy_restore,
    "steps": heavy_steps,
    "dataset": heavy_dataset,
}


async def scenario(port: int, heavy: Heavy | None, seconds: float) -> tuple[float, str | None]:
    url = f"ws://127.0.0.1:{port}/ws"
    start = time.monotonic() + 2.0  # the heavy client gets going first
    stop = start + seconds
    stats = ClientStats()
    jobs = [] if heavy is nobody else [client(url, start, stop, stats)]
    if heavy is not None:
        jobs.append(heavy(url, port, stop))
    results = await asyncio.gather(*jobs, return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    error = stats.error or (errors[0] if errors else None)
    return len(stats.times) / seconds, error


def bench_fairness(seconds: float, names: list[str] | None = None) -> None:
    """Print one line per scenario: the default client's frames/s and the longest stall."""
    port = free_port()
    server = start_server(port, 1, {"PLAYGROUND_LOOP_PROBE": "true"})
    print(f"\nfairness: a default client beside one heavy client, 1 worker, {seconds:g} s each")
    try:
        for name in names or list(SCENARIOS):
            health(port)  # resets the probe's longest stall
            fps, error = asyncio.run(scenario(port, SCENARIOS[name], seconds))
            answer = health(port)
            stall = answer.get("loop_stall_ms", float("nan"))
            p99 = answer.get("loop_stall_p99_ms", float("nan"))
            busy = answer.get("loop_busy_ms", float("nan"))
            suffix = f"  ({error})" if error else ""
            print(
                f"  {name:8s} default client {fps:5.1f} frames/s  loop stall: longest "
                f"{stall:6.1f} ms, p99 {p99:5.1f} ms; loop CPU in one stall {busy:5.1f} ms"
                f"{suffix}"
            )
            time.sleep(1.0)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement per scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    args = parser.parse_args()
    bench_fairness(args.seconds, args.scenarios.split(","))


if __name__ == "__main__":
    main()
