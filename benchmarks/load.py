"""Load: N concurrent WebSocket clients playing the default config against a real server.

Starts its own ``nn-playground serve`` (1 worker, then 2), connects N = 1, 10, 30, 50
clients on 127.0.0.1 that each press play and acknowledge every frame on arrival (as a
page that draws instantly would), and prints per client frames/s (median and min), the
p95 gap between two frames of a client, the total frames/s, and the server's CPU and
memory (all its processes) before, during and after. Every phase is bounded in time, so
the script stops by itself (about a minute with the defaults).

Goals (issue 4): >= 400 frames/s in total from one worker; >= 30 clients at >= 15
frames/s each with ``--workers 2`` on a 2-core machine; memory back to baseline after
the clients leave. The clients run in this process and share the machine's cores with
the server, as they would not in a classroom: the figures are a lower bound.

Then it reports fairness (``benchmarks/fairness.py``, issue 15): a default client's
frames/s while each heavy client plays beside it, and the longest event-loop stall.

Run: ``python benchmarks/load.py [--seconds 5] [--clients 1,10,30,50] [--workers 1,2]
[--fairness only|no]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from websockets.asyncio.client import connect

SERVE = Path(sys.executable).with_name("nn-playground")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class ClientStats:
    """Arrival times of one client's frames inside the measurement window."""

    times: list[float] = field(default_factory=list)
    error: str | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (uvicorn's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total / 2**20


def start_server(
    port: int, workers: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "warning", "PLAYGROUND_MAX_SESSIONS": "1000"}
    env.update(extra_env or {})
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", str(workers)], env=env
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                time.sleep(0.5 * workers)  # let every worker finish starting
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def frame_seq(message: bytes) -> int:
    """The ``seq`` of a frame: only the JSON header is parsed (cheap for the client)."""
    (length,) = struct.unpack_from("<I", message, 0)
    return int(json.loads(message[4 : 4 + length])["seq"])


async def client(url: str, start: float, stop: float, stats: ClientStats) -> None:
    """Play and ack every frame; record frame arrivals between ``start`` and ``stop``."""
    try:
        async with connect(url, max_size=2**24, open_timeout=20) as ws:
            await ws.send(json.dumps({"type": "play"}))
            while True:
                remaining = stop - time.monotonic()
                if remaining <= 0:
                    return
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=remaining)
                except TimeoutError:
                    return
                if isinstance(message, bytes):
                    now = time.monotonic()
                    if now >= start:
                        stats.times.append(now)
                    await ws.send(json.dumps({"type": "ack", "seq": frame_seq(message)}))
    except Exception as e:  # a refused or dropped client is a result, not a crash
        stats.error = f"{type(e).__name__}: {e}"


async def run_clients(port: int, n: int, seconds: float) -> list[ClientStats]:
    warmup = 1.0 + n * 0.02
    start = time.monotonic() + warmup
    stop = start + seconds
    stats = [ClientStats() for _ in range(n)]
    url = f"ws://127.0.0.1:{port}/ws"
    await asyncio.gather(*(client(url, start, stop, s) for s in stats))
    return stats


def report(
    n: int, seconds: float, stats: list[ClientStats], cpu: float, mem: tuple[float, ...]
) -> None:
    rates = [len(s.times) / seconds for s in stats]
    gaps = [b - a for s in stats for a, b in zip(s.times, s.times[1:], strict=False)]
    p95 = float(np.percentile(gaps, 95)) * 1000 if gaps else float("nan")
    errors = [s.error for s in stats if s.error is not None]
    suffix = f"  {len(errors)} clients failed, e.g. {errors[0]}" if errors else ""
    print(
        f"  N={n:3d}  per client median {statistics.median(rates):6.1f} min {min(rates):6.1f} "
        f"frames/s  p95 gap {p95:6.1f} ms  total {sum(rates):7.1f} frames/s  "
        f"server CPU {cpu:5.0f} %  RSS {mem[0]:.0f} -> {mem[1]:.0f} -> {mem[2]:.0f} MB{suffix}"
    )


def bench(workers: int, counts: list[int], seconds: float) -> None:
    port = free_port()
    server = start_server(port, workers)
    try:
        pids = process_tree(server.pid)
        print(f"\n--workers {workers} ({len(pids)} processes), {seconds:g} s per run")
        baseline = rss_mb(pids)
        for n in counts:
            before = rss_mb(pids)
            cpu0, t0 = cpu_seconds(pids), time.monotonic()
            stats = asyncio.run(run_clients(port, n, seconds))
            cpu = (cpu_seconds(pids) - cpu0) / (time.monotonic() - t0) * 100
            during = rss_mb(pids)
            time.sleep(1.0)  # the sessions are freed when the sockets close
            after = rss_mb(pids)
            report(n, seconds, stats, cpu, (before, during, after))
        print(f"  RSS at start {baseline:.0f} MB, after all runs {rss_mb(pids):.0f} MB")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement per run")
    parser.add_argument("--clients", default="1,10,30,50", help="comma-separated client counts")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--fairness", choices=["yes", "no", "only"], default="yes")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    print(__doc__.split("\n\n")[0])
    print(f"machine: {os.cpu_count()} cores; default config, max_fps 30, speed 25")
    if args.fairness != "only":
        for workers in (int(w) for w in args.workers.split(",")):
            bench(workers, counts, args.seconds)
    if args.fairness != "no":
        from fairness import bench_fairness

        bench_fairness(args.seconds)


if __name__ == "__main__":
    main()
