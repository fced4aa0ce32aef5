"""Load: N concurrent WebSocket clients, each playing its own run, against a real server.

Starts its own ``nn-playground serve`` (``--workers 2`` by default) once with co-scheduling
on (``PLAYGROUND_COSCHEDULE=1``) and once off (``=0``), a fresh server each time, and
connects N = 1, 10, 30 clients on 127.0.0.1 that each press play and acknowledge every
frame on arrival (as a page that draws instantly would). It prints per client frames/s
(median and min), the p95 gap between two frames of a client, the total frames/s, the
server's CPU and memory (all its processes) before, during and after, and the CPU the
clients took. Every phase is bounded in time, so the script stops by itself.

The clients run in a process of their own (this script with a hidden
``--client-process`` option, which prints its results as JSON), so their CPU is neither
counted in nor tangled with the process that measures. On a 2-core machine they still
share the cores with the server, as they would not in a classroom: the figures are a
lower bound, and the clients' CPU % is printed beside the server's.

``--config reference`` (the default) is the classroom reference config of issue 14: each
client sets the spiral data set, 6 hidden layers of 8 tanh neurons and seed i + 1 for
client i (the students' runs are distinct runs, not copies), then plays;
``--config lesson`` is that config with one seed for all, as a class that opened one
lesson, the clients pressing play 0.1 s apart (their runs are one run: they share a path,
docs/deploy.md); ``--config default`` plays the default page as is (one config for all);
``--config default-seeds`` the default network with seed i + 1 for client i. Speed 25, at
most 30 frames/s (the server's defaults). Only frames arriving after a warm-up count.

Goals: >= 400 frames/s in total from one worker with the default config (issue 4); 30
clients at >= 15 frames/s each with ``--workers 2`` and the reference network, one seed
per client or one for all (issue 14);
memory back to baseline after the clients leave. A summary table ends the load part:
per-client median frames/s for each (workers, clients), co-scheduling on vs off.

Then it reports fairness (``benchmarks/fairness.py``, issue 15): a default client's
frames/s while each heavy client plays beside it, and the longest event-loop stall.

Run: ``python benchmarks/load.py [--seconds 5] [--clients 1,10,30] [--workers 2]
[--config reference|lesson|default|default-seeds] [--coschedule on,off]
[--fairness yes|no|only]``.
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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import connect

SERVE = Path(sys.executable).with_name("nn-playground")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
REFERENCE = {"dataset": "spiral", "hidden": [8] * 6, "activation": "tanh"}  # issue 14
COSCHEDULE = {"on": "1", "off": "0"}  # --coschedule value -> PLAYGROUND_COSCHEDULE
GOAL_WORKERS, GOAL_CLIENTS, GOAL_FPS = 2, 30, 15.0  # issue 14, reference config
LESSON_STAGGER = 0.1  # seconds between two pages' play in the lesson config
GOAL_TOTAL = 400.0  # issue 4: frames/s in total from one worker, default config
GOALS = {
    "reference": (
        f"goal (issue 14): {GOAL_CLIENTS} clients >= {GOAL_FPS:g} frames/s each "
        f"with --workers {GOAL_WORKERS} (checked on the slowest client)"
    ),
    "default": f"goal (issue 4): >= {GOAL_TOTAL:g} frames/s in total from one worker",
}
GOALS["lesson"] = GOALS["reference"]
GOALS["default-seeds"] = "no goal: distinct runs of the default network (capacity planning)"


@dataclass
class ClientStats:
    """Arrival times of one client's frames inside the measurement window."""

    times: list[float] = field(default_factory=list)
    error: str | None = None
    first: float | None = None  # arrival of its first frame, inside the window or not


@dataclass
class Result:
    """One run's figures, as the summary table needs them."""

    median: float
    minimum: float
    total: float


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
    env = {
        **os.environ,
        "PLAYGROUND_LOG_LEVEL": "warning",
        "PLAYGROUND_MAX_SESSIONS": "1000",
        # every client comes from 127.0.0.1 (32 sessions per address and worker by default)
        "PLAYGROUND_MAX_SESSIONS_PER_CLIENT": "1000",
    }
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


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def frame_seq(message: bytes) -> int:
    """The ``seq`` of a frame: only the JSON header is parsed (cheap for the client)."""
    (length,) = struct.unpack_from("<I", message, 0)
    return int(json.loads(message[4 : 4 + length])["seq"])


def setup_messages(config: str, index: int) -> list[dict[str, Any]]:
    """What client ``index`` sends before ``play``: the reference config with its own seed
    (``reference``) or with the lesson's one seed (``lesson``); nothing for ``default``."""
    if config == "reference":
        return [{"type": "set", "changes": {**REFERENCE, "seed": index + 1}}]
    if config == "lesson":
        return [{"type": "set", "changes": {**REFERENCE, "seed": 1}}]
    if config == "default-seeds":
        return [{"type": "set", "changes": {"seed": index + 1}}]
    return []


def play_delay(config: str, index: int) -> float:
    """Seconds client ``index`` waits before ``play``: a class presses play over a few
    seconds (``lesson``: 0.1 s apart), so the pages are at different steps."""
    return index * LESSON_STAGGER if config == "lesson" else 0.0


async def client(
    url: str,
    start: float,
    stop: float,
    stats: ClientStats,
    setup: Sequence[dict[str, Any]] = (),
    delay: float = 0.0,
) -> None:
    """Send ``setup``, wait ``delay`` seconds, play and ack every frame; record arrivals
    between ``start`` and ``stop``."""
    try:
        async with connect(url, max_size=2**24, open_timeout=20) as ws:
            for request in setup:
                await ws.send(json.dumps(request))
            await asyncio.sleep(delay)
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
                    if stats.first is None:
                        stats.first = now
                    if now >= start:
                        stats.times.append(now)
                    await ws.send(json.dumps({"type": "ack", "seq": frame_seq(message)}))
                elif stats.error is None and '"error"' in message:
                    data = json.loads(message)
                    if data.get("type") == "error":
                        stats.error = f"server error: {data.get('message')}"
    except Exception as e:  # a refused or dropped client is a result, not a crash
        stats.error = f"{type(e).__name__}: {e}"


async def run_clients(
    port: int, n: int, start: float, stop: float, config: str
) -> list[ClientStats]:
    stats = [ClientStats() for _ in range(n)]
    url = f"ws://127.0.0.1:{port}/ws"
    await asyncio.gather(
        *(
            client(url, start, stop, s, setup_messages(config, i), play_delay(config, i))
            for i, s in enumerate(stats)
        )
    )
    return stats


def client_process(spec: str) -> None:
    """The child's side: run the clients ``spec`` (JSON) asks for, print their stats as JSON.

    ``start`` and ``stop`` are ``time.monotonic()`` values of the parent: on Linux that
    clock (CLOCK_MONOTONIC) is the same in every process.
    """
    job = json.loads(spec)
    stats = asyncio.run(
        run_clients(job["port"], job["n"], job["start"], job["stop"], job["config"])
    )
    json.dump([asdict(s) for s in stats], sys.stdout)


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def measure(
    port: int, n: int, seconds: float, config: str, server: list[int]
) -> tuple[list[ClientStats], float, float, float, float]:
    """Run ``n`` clients in a child process; their stats, the server's and the child's
    CPU % inside the window, the server's RSS at the end of the window, and ``start``."""
    # the child's start (imports), connecting, the first frames, the last page's play
    warmup = 2.0 + n * 0.03 + play_delay(config, n - 1)
    start = time.monotonic() + warmup
    stop = start + seconds
    spec = json.dumps({"port": port, "n": n, "start": start, "stop": stop, "config": config})
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--client-process", spec],
        stdout=subprocess.PIPE,
    )
    try:
        sleep_until(start)
        server0, child0, t0 = cpu_seconds(server), cpu_seconds([child.pid]), time.monotonic()
        sleep_until(stop)
        server1, child1, t1 = cpu_seconds(server), cpu_seconds([child.pid]), time.monotonic()
        during = rss_mb(server)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"the client process failed (exit code {child.returncode})")
    stats = [ClientStats(**s) for s in json.loads(out)]
    elapsed = t1 - t0
    server_cpu = (server1 - server0) / elapsed * 100
    child_cpu = (child1 - child0) / elapsed * 100
    return stats, server_cpu, child_cpu, during, start


def report(
    n: int,
    seconds: float,
    stats: list[ClientStats],
    cpu: tuple[float, float],
    mem: tuple[float, ...],
    start: float,
) -> Result:
    rates = [len(s.times) / seconds for s in stats]
    gaps = [b - a for s in stats for a, b in zip(s.times, s.times[1:], strict=False)]
    p95 = float(np.percentile(gaps, 95)) * 1000 if gaps else float("nan")
    errors = [s.error for s in stats if s.error is not None]
    late = sum(1 for s in stats if s.error is None and (s.first is None or s.first > start))
    suffix = f"  {len(errors)} clients failed, e.g. {errors[0]}" if errors else ""
    if late:
        suffix += f"  {late} clients had no frame before the window opened (longer warm-up?)"
    result = Result(statistics.median(rates), min(rates), sum(rates))
    print(
        f"  N={n:3d}  per client median {result.median:6.1f} min {result.minimum:6.1f} "
        f"frames/s  p95 gap {p95:6.1f} ms  total {result.total:7.1f} frames/s  "
        f"server CPU {cpu[0]:5.0f} %  clients CPU {cpu[1]:4.0f} %  "
        f"RSS {mem[0]:.0f} -> {mem[1]:.0f} -> {mem[2]:.0f} MB{suffix}",
        flush=True,
    )
    return result


def bench(
    workers: int, mode: str, counts: list[int], seconds: float, config: str
) -> dict[int, Result]:
    """One fresh server with co-scheduling ``mode`` (on/off); one run per client count."""
    port = free_port()
    server = start_server(port, workers, {"PLAYGROUND_COSCHEDULE": COSCHEDULE[mode]})
    results: dict[int, Result] = {}
    try:
        pids = process_tree(server.pid)
        print(
            f"\n--workers {workers}, co-scheduling {mode} (PLAYGROUND_COSCHEDULE="
            f"{COSCHEDULE[mode]}), {config} config: {len(pids)} server processes, "
            f"{seconds:g} s per run",
            flush=True,
        )
        baseline = rss_mb(pids)
        for n in counts:
            before = rss_mb(pids)
            stats, server_cpu, child_cpu, during, start = measure(port, n, seconds, config, pids)
            time.sleep(1.0)  # the sessions are freed when the sockets close
            after = rss_mb(pids)
            mem = (before, during, after)
            results[n] = report(n, seconds, stats, (server_cpu, child_cpu), mem, start)
        print(f"  RSS at start {baseline:.0f} MB, after all runs {rss_mb(pids):.0f} MB")
    finally:
        stop_server(server)
    return results


def goal_note(config: str, workers: int, n: int, last: int, result: Result) -> str | None:
    """Whether ``result`` meets the config's goal, for the rows the goal is about."""
    if config in ("reference", "lesson") and workers == GOAL_WORKERS and n >= GOAL_CLIENTS:
        met = result.minimum >= GOAL_FPS
        return f"{'met' if met else 'missed'} (min {result.minimum:.1f})"
    if config == "default" and workers == 1 and n == last:
        met = result.total >= GOAL_TOTAL
        return f"{'met' if met else 'missed'} (total {result.total:.0f})"
    return None


def summary(
    results: dict[tuple[int, int], dict[str, Result]], modes: list[str], config: str
) -> None:
    """Rows (workers, clients); per-client median frames/s with co-scheduling on, off."""
    print(f"\nsummary: per-client median frames/s, co-scheduling on vs off ({config} config)")
    print(f"{GOALS[config]}")
    print(f"  {'workers':>7s} {'clients':>7s} {'on':>7s} {'off':>7s} {'on/off':>7s}  goal")
    last = max(n for _, n in results)
    for (workers, n), by_mode in sorted(results.items()):
        on, off = by_mode.get("on"), by_mode.get("off")
        cells = [f"{r.median:7.1f}" if r else f"{'-':>7s}" for r in (on, off)]
        ratio = f"{on.median / off.median:7.2f}" if on and off and off.median > 0 else "      -"
        notes = []
        for mode in modes:
            note = goal_note(config, workers, n, last, by_mode[mode])
            if note is not None:
                notes.append(f"{mode}: {note}")
        print(f"  {workers:7d} {n:7d} {cells[0]} {cells[1]} {ratio}  {', '.join(notes)}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement per run")
    parser.add_argument("--clients", default="1,10,30", help="comma-separated client counts")
    parser.add_argument("--workers", default="2", help="comma-separated worker counts")
    parser.add_argument(
        "--config",
        choices=["reference", "lesson", "default", "default-seeds"],
        default="reference",
        help="reference: issue 14's classroom config, a seed per client; lesson: the same "
        "config with one seed for all, as a class on one lesson, play pressed 0.1 s apart; "
        "default: the default page as is (one config for all); default-seeds: the default "
        "network with a seed per client",
    )
    parser.add_argument(
        "--coschedule",
        default="on,off",
        help="comma-separated co-scheduling modes (on, off): a fresh server for each",
    )
    parser.add_argument("--fairness", choices=["yes", "no", "only"], default="yes")
    parser.add_argument("--client-process", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client_process is not None:
        client_process(args.client_process)
        return
    counts = [int(n) for n in args.clients.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]
    modes = [m.strip() for m in args.coschedule.split(",")]
    if unknown := [m for m in modes if m not in COSCHEDULE]:
        parser.error(f"--coschedule takes on and/or off, not {', '.join(unknown)}")
    print(__doc__.split("\n\n")[0])
    seeds = {
        "reference": ", spiral, 6 x 8 tanh, seed i + 1 for client i",
        "lesson": f", spiral, 6 x 8 tanh, seed 1 for all, play {LESSON_STAGGER:g} s apart",
        "default-seeds": ", seed i + 1 for client i",
    }.get(args.config, "")
    print(
        f"machine: {os.cpu_count()} cores (CPU % is of one core); {args.config} config"
        f"{seeds}; max_fps 30, speed 25; the clients run in a process of their own"
    )
    if args.fairness != "only":
        results: dict[tuple[int, int], dict[str, Result]] = {}
        for workers in worker_counts:
            for mode in modes:
                for n, result in bench(workers, mode, counts, args.seconds, args.config).items():
                    results.setdefault((workers, n), {})[mode] = result
        summary(results, modes, args.config)
    if args.fairness != "no":
        from fairness import bench_fairness

        bench_fairness(args.seconds)


if __name__ == "__main__":
    main()
