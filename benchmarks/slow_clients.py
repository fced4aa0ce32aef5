"""Memory of clients that never read, measured on a real `nn-playground serve` (issue 15).

Scenarios, each against a fresh server, sampling the worker's RSS every second:

``never-reading``
    the issue's reproducer: a client with a 4 KiB receive buffer sends one large
    ``configure``, 30 ``snapshot`` requests it never reads, then 1 MiB messages of
    ``{"type":"configure","config":{"a":[{},{},...]}}`` as fast as TCP takes them
    (before the fix: RSS 68 -> 1,112 MB, held after disconnect). Reports the RSS peak,
    the RSS at the end, and when the server dropped the connection.
``never-reading-floats``
    the same with 1 MiB messages of floats, the largest a message parses into under the
    container limit (about 8 MB of Python floats).
``sessions``
    the resident bytes per session: 20 idle default sessions, then 10 sessions at the
    largest network with ``max_runs`` runs each, trained until their timelines hold
    their checkpoint budget.

Run: ``python benchmarks/slow_clients.py [--seconds 60] [--send-timeout 30]``. On a
shared machine the figures are relative; RSS is the worker's (one worker).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

SERVE = Path(sys.executable).with_name("nn-playground")
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1 << 20
BIG = {"hidden": [32] * 8, "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss(pid: int) -> float:
    """Resident MiB of ``pid``."""
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / MIB


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
        return dict(json.load(r))


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env={**os.environ, "PLAYGROUND_LOG_LEVEL": "warning", **env},
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            health(port)
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def ws_connect(port: int, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return sock


def frame(payload: bytes) -> bytes:
    """One masked client text frame (the mask is zero: XOR leaves the payload as it is)."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    return head + b"\x00\x00\x00\x00" + payload


def junk(kind: str) -> bytes:
    """A message just under 1 MiB that is expensive to hold once parsed."""
    item, count = ("{}", 349_000) if kind == "objects" else ("0.5", 262_000)
    items = ",".join([item] * count)
    return frame(f'{{"type":"configure","config":{{"a":[{items}]}}}}'.encode())


def never_reading(
    port: int, pid: int, seconds: float, kind: str, clients: int = 1
) -> dict[str, Any]:
    """Run the reproducer; returns RSS samples and when the sessions disappeared."""
    base = rss(pid)
    message = junk(kind)
    stop = threading.Event()
    sent = [0]

    def flood(sock: socket.socket) -> None:
        sock.settimeout(1.0)
        while not stop.is_set():
            try:
                sock.sendall(message)
                sent[0] += 1
            except TimeoutError:
                continue
            except OSError:
                return

    socks, threads = [], []
    for _ in range(clients):
        sock = ws_connect(port, rcvbuf=4096)
        sock.sendall(frame(json.dumps({"type": "configure", "config": BIG}).encode()))
        for _ in range(30):
            sock.sendall(frame(b'{"type":"snapshot"}'))
        socks.append(sock)
        threads.append(threading.Thread(target=flood, args=(sock,), daemon=True))
    start = time.monotonic()
    for thread in threads:
        thread.start()
    samples: list[tuple[float, float]] = []
    dropped_at = None
    while time.monotonic() - start < seconds:
        time.sleep(1.0)
        t = time.monotonic() - start
        samples.append((t, rss(pid)))
        if dropped_at is None and health(port)["sessions"] == 0:
            dropped_at = t
    stop.set()
    for sock in socks:
        sock.close()
    for thread in threads:
        thread.join(timeout=5)
    time.sleep(1.0)
    return {
        "base": base,
        "peak": max(r for _, r in samples),
        "end": samples[-1][1],
        "after_close": rss(pid),
        "dropped_at": dropped_at,
        "messages_sent": sent[0],
        "samples": samples,
    }


def per_session(port: int, pid: int) -> dict[str, float]:
    """Resident MiB per idle default session and per largest session."""
    base = rss(pid)
    idle = [ws_connect(port) for _ in range(20)]
    time.sleep(2.0)
    idle_mib = (rss(pid) - base) / 20
    for s in idle:
        s.close()
    time.sleep(2.0)
    base = rss(pid)
    big = []
    for _ in range(10):
        s = ws_connect(port)
        s.sendall(frame(json.dumps({"type": "configure", "config": BIG}).encode()))
        for _ in range(3):
            s.sendall(frame(b'{"type":"fork"}'))
        s.sendall(frame(b'{"type":"step","n":10000,"run":"all"}'))
        big.append(s)
    drain = threading.Event()

    def read_all() -> None:  # these clients do read (and never ack): frames stay paced
        while not drain.is_set():
            for s in big:
                s.setblocking(False)
                try:
                    while s.recv(1 << 16):
                        pass
                except (BlockingIOError, OSError):
                    pass
            time.sleep(0.05)

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    time.sleep(20.0)
    big_mib = (rss(pid) - base) / 10
    drain.set()
    for s in big:
        s.close()
    return {"idle_session_mib": idle_mib, "largest_session_mib": big_mib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--send-timeout", default="30")
    parser.add_argument("--clients", type=int, default=1, help="never-reading clients at once")
    parser.add_argument("--kinds", default="objects,floats")
    parser.add_argument("--no-sessions", action="store_true", help="skip the per-session part")
    args = parser.parse_args()
    env = {"PLAYGROUND_SEND_TIMEOUT": args.send_timeout}
    for kind in args.kinds.split(","):
        port = free_port()
        server = start_server(port, env)
        try:
            result = never_reading(port, server.pid, args.seconds, kind, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(
            f"never-reading ({kind}, {args.clients} client(s)): "
            f"RSS {result['base']:.0f} MiB -> peak "
            f"{result['peak']:.0f} MiB, {result['end']:.0f} MiB at {args.seconds:.0f} s, "
            f"{result['after_close']:.0f} MiB after close; session dropped after "
            f"{result['dropped_at']} s; {result['messages_sent']} x 1 MiB messages accepted "
            "by TCP"
        )
        print("  rss by second:", " ".join(f"{r:.0f}" for _, r in result["samples"]), flush=True)
    if args.no_sessions:
        return
    port = free_port()
    server = start_server(port, env)
    try:
        sizes = per_session(port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"per session: {sizes['idle_session_mib']:.2f} MiB idle default, "
        f"{sizes['largest_session_mib']:.1f} MiB at the largest network with 4 runs"
    )


if __name__ == "__main__":
    main()
