"""Slow, silent and never-reading clients against a real `nn-playground serve` (issue 15,
items 2, 7 and 10): raw sockets, so the test controls every byte and every read."""

from __future__ import annotations

import base64
import json
import os
import resource
import socket
import struct
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_server import SERVE, _free_port, _health, _wait_ready

TIMEOUTS = {"PLAYGROUND_HEADER_TIMEOUT": "1", "PLAYGROUND_SEND_TIMEOUT": "2",
            "PLAYGROUND_KEEP_ALIVE": "1"}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """One server with short deadlines; yields its port and its log file."""
    log = tmp_path_factory.mktemp("serve") / "server.log"
    env = {**os.environ, **TIMEOUTS, "PLAYGROUND_LOG_LEVEL": "info"}
    port = _free_port()
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
        try:
            _wait_ready(process, port)
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closes ``sock`` (reading whatever it sends), or None."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    return None


def test_a_client_trickling_header_lines_is_cut_off(server: tuple[int, Path]) -> None:
    """#7: header lines trickled forever kept the socket open (any byte reset uvicorn's timer)."""
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < 4:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            time.sleep(0.2)
        closed = closed or _closed_within(sock, 1) is not None
        assert closed and time.monotonic() - start < 3.5


def test_silent_connections_are_closed_and_the_server_answers_meanwhile(
    server: tuple[int, Path],
) -> None:
    port, _ = server
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
    try:
        assert _health(port)["status"] == "ok"  # 50 silent sockets do not block anyone
        waited = [_closed_within(s, 3) for s in socks]
        assert all(w is not None for w in waited), waited
    finally:
        for s in socks:
            s.close()


def test_an_idle_keep_alive_connection_is_closed(server: tuple[int, Path]) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _closed_within(sock, 3) is not None


def _ws_connect(port: int, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _ws_frame(payload: bytes, opcode: int = 1) -> bytes:
    """One masked client frame."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _server_frame(sock: socket.socket) -> tuple[int, bytes]:
    """One unmasked server frame: ``(opcode, payload)``."""
    first, second = _read_exactly(sock, 2)
    n = second & 0x7F
    if n == 126:
        n = struct.unpack("!H", _read_exactly(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", _read_exactly(sock, 8))[0]
    return first & 0x0F, _read_exactly(sock, n)


def _sessions_reach(port: int, n: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _health(port)["sessions"] == n:
            return True
        time.sleep(0.1)
    return False


def _sessions_gone(port: int, seconds: float) -> bool:
    return _sessions_reach(port, 0, seconds)


def test_a_client_that_never_reads_is_dropped(server: tuple[int, Path]) -> None:
    """#2: a client that asks for large replies and never reads them pinned its session."""
    port, _ = server
    assert _sessions_gone(port, 5)
    sock = _ws_connect(port, rcvbuf=4096)
    try:
        big = {"hidden": [32] * 8, "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1"]}
        sock.sendall(_ws_frame(json.dumps({"type": "configure", "config": big}).encode()))
        for _ in range(40):  # ~400 KB each, never read
            sock.sendall(_ws_frame(b'{"type": "snapshot"}'))
        assert _sessions_reach(port, 1, 5)  # the session is created in the work pool
        start = time.monotonic()
        assert _sessions_gone(port, 8), "the stalled session was not dropped"
        assert time.monotonic() - start < 8
    finally:
        sock.close()


def test_invalid_utf8_closes_with_1007_and_logs_no_traceback(server: tuple[int, Path]) -> None:
    """#10: close code 1007 was undocumented and logged a full traceback."""
    port, log = server
    sock = _ws_connect(port)
    try:
        sock.settimeout(5)
        sock.sendall(_ws_frame(b'{"type": "\xff\xfe"}'))
        opcode, payload = 0, b""
        while opcode != 8:  # until the close frame
            opcode, payload = _server_frame(sock)
        assert struct.unpack("!H", payload[:2])[0] == 1007
    finally:
        sock.close()
    time.sleep(0.3)
    text = log.read_text()
    assert "Invalid UTF-8" in text and "Traceback" not in text


def test_over_the_connection_limit_requests_get_503_until_the_silent_ones_are_cut() -> None:
    """#7: 1,000 trickling and 200 silent connections starved /api/health."""
    env = {**os.environ, **TIMEOUTS, "PLAYGROUND_MAX_CONNECTIONS": "5",
           "PLAYGROUND_LOG_LEVEL": "error"}  # fmt: skip
    port = _free_port()
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]
    process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env)
    try:
        _wait_ready(process, port)
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
        try:
            time.sleep(0.2)
            with pytest.raises(urllib.error.HTTPError) as refused:
                _health(port)
            refused.value.close()
            assert refused.value.code == 503
            time.sleep(1.5)  # past the header deadline: the silent sockets are gone
            assert _health(port)["status"] == "ok"
        finally:
            for s in silent:
                s.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_out_of_file_descriptors_the_log_stays_short_and_the_server_recovers(
    tmp_path: Path,
) -> None:
    """#7: under a 256-fd limit, 61k "Too many open files" tracebacks in 5 s, health timed out."""
    env = {**os.environ, **TIMEOUTS, "PLAYGROUND_LOG_LEVEL": "warning"}
    port = _free_port()
    command = [str(SERVE)] if SERVE.exists() else [sys.executable, "-m", "playground.cli"]

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port)],
            env=env, stdout=out, stderr=out, preexec_fn=few_files,
        )  # fmt: skip
        try:
            _wait_ready(process, port)
            silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
            try:
                time.sleep(2.0)  # the server runs out of descriptors, then cuts the silent
            finally:
                for s in silent:
                    s.close()
            deadline = time.monotonic() + 10
            while True:
                try:
                    assert _health(port)["status"] == "ok"
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=10)
    text = log.read_text()
    assert text.count("Traceback") <= 60 and len(text.splitlines()) < 2000, len(text)  # 20 a kind


def test_serve_on_loopback_refuses_a_rebinding_host(server: tuple[int, Path]) -> None:
    """#8: `Host: evil.example:PORT` with a matching Origin got 101 (DNS rebinding)."""
    port, _ = server
    answers = {}
    for host in (f"evil.example:{port}", f"localhost:{port}"):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall(
                f"GET /ws HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n".encode()
            )
            answers[host.split(":")[0]] = sock.recv(200).split(b"\r\n")[0]
    assert answers == {
        "evil.example": b"HTTP/1.1 400 Bad Request",
        "localhost": b"HTTP/1.1 101 Switching Protocols",
    }
