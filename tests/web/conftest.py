"""Fixtures for the web tests: an app per test, and a WebSocket peer with timeouts.

Starlette's test client blocks forever on ``receive``; ``Peer.recv`` waits at most a few
seconds so a broken server fails a test instead of hanging the suite.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette warns when it finds httpx rather than httpx2; the client works the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from playground.web.app import create_app
from playground.web.frames import decode_frame
from playground.web.settings import Settings

FAST = {"max_fps": 240.0}


@dataclass
class Frame:
    """A decoded binary frame."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]
    size: int

    @property
    def type(self) -> str:
        return "frame"

    @property
    def seq(self) -> int:
        return int(self.header["seq"])


async def _receive(stream: Any, timeout: float) -> Any:
    with anyio.fail_after(timeout):
        return await stream.receive()


class Peer:
    """A test-client WebSocket with JSON helpers, frame decoding and receive timeouts."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self.messages: list[dict[str, Any]] = []

    def send(self, type: str, **fields: Any) -> None:
        self.ws.send_text(json.dumps({"type": type, **fields}))

    def send_raw(self, text: str) -> None:
        self.ws.send_text(text)

    def raw(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next ASGI message from the server (raises TimeoutError after ``timeout``)."""
        return self.ws.portal.call(_receive, self.ws._send_rx, timeout)

    def recv(self, timeout: float = 5.0) -> dict[str, Any] | Frame:
        message = self.raw(timeout)
        if message["type"] == "websocket.close":
            return {"type": "close", "code": message.get("code"), "reason": message.get("reason")}
        if message.get("bytes") is not None:
            data = message["bytes"]
            header, arrays = decode_frame(data)
            frame = Frame(header, arrays, len(data))
            self.frames.append(frame)
            return frame
        parsed = json.loads(message["text"])
        self.messages.append(parsed)
        return parsed

    def expect(self, type: str, ack: bool = True, timeout: float = 5.0) -> dict[str, Any]:
        """Receive until a JSON message of ``type``; frames on the way are acknowledged."""
        while True:
            item = self.recv(timeout)
            if isinstance(item, Frame):
                if ack:
                    self.send("ack", seq=item.seq)
                continue
            if item["type"] == type:
                return item
            if item["type"] == "close":
                raise AssertionError(f"socket closed while waiting for {type!r}: {item}")

    def frame(self, ack: bool = True, timeout: float = 5.0) -> Frame:
        """Receive until the next frame or sweep frame (JSON messages on the way are kept in
        ``messages``; a view's binary reply, e.g. a landscape, has no ``seq`` and is passed
        over)."""
        while True:
            item = self.recv(timeout)
            if isinstance(item, Frame):
                if "seq" not in item.header:
                    continue
                if ack:
                    self.send("ack", seq=item.seq)
                return item
            if item["type"] == "close":
                raise AssertionError(f"socket closed while waiting for a frame: {item}")

    def silent(self, timeout: float = 0.3) -> bool:
        """True if the server sends nothing for ``timeout`` seconds."""
        try:
            self.recv(timeout)
        except TimeoutError:
            return True
        return False


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient around a fresh app with the given settings overrides."""
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        client = TestClient(create_app(Settings(**{**FAST, **overrides})))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@contextmanager
def connect(client: TestClient, **kw: Any) -> Iterator[Peer]:
    """Open ``/ws``, read ``hello`` and the first frame (acknowledged)."""
    with client.websocket_connect("/ws", **kw) as ws:
        peer = Peer(ws)
        hello = peer.recv()
        assert isinstance(hello, dict) and hello["type"] == "hello"
        peer.hello = hello  # type: ignore[attr-defined]
        peer.frame()
        yield peer
