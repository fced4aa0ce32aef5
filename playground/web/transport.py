"""Deadlines uvicorn does not have: slow or silent clients are cut off at the transport.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``), but any byte
cancels that timer, so a client trickling one header line every few seconds keeps its
socket (and a file descriptor) forever; and a client that never reads what it is sent
keeps its connection open with a full write buffer, since ``transport.close()`` waits
for the buffer to drain. These protocol classes add two deadlines, each ending in
``transport.abort()``, which frees the socket and its buffers at once:

``header_timeout``
    an HTTP request's headers must be complete within this many seconds of the
    connection opening or of the previous response;
``send_timeout``
    the write buffer may stay above its high-water mark (the client is not reading) for
    at most this long; and once the app is done with a WebSocket, the closing handshake
    gets the same time.

``nn-playground serve`` passes them to uvicorn as ``http=`` and ``ws=`` (classes, which
pickle by reference, so every worker process loads them too). They subclass uvicorn's
h11 and websockets protocols and override only ``asyncio.Protocol`` hooks plus two of
their methods, checked by
``tests/web/test_transport.py`` against a real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from playground.web.deflate import selective_server_protocol
from playground.web.settings import Settings


@cache
def _deadlines() -> tuple[float, float]:
    """``(header_timeout, send_timeout)`` from this worker's ``PLAYGROUND_*`` environment."""
    settings = Settings()
    return settings.header_timeout, settings.send_timeout


@cache
def _deflate_settings() -> tuple[int, int]:
    """``(limit, level)``: messages larger than ``limit`` are sent uncompressed
    (``deflate.SelectiveDeflate``), the others deflated at zlib ``level``."""
    settings = Settings()
    return settings.ws_deflate_max_bytes, settings.ws_deflate_level


class _Deadline:
    """One re-armable timer that aborts a transport when it fires."""

    def __init__(self) -> None:
        self._handle: asyncio.TimerHandle | None = None

    def arm(self, seconds: float, transport: Any) -> None:
        self.cancel()
        self._handle = asyncio.get_running_loop().call_later(seconds, _abort, transport)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def _abort(transport: Any) -> None:
    """Drop the connection with a reset, so the kernel frees its unsent bytes too."""
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _SendDeadline:
    """Mixed in before a uvicorn protocol: a full write buffer (the client is not reading)
    arms ``send_timeout``; draining it disarms it."""

    _send_deadline: _Deadline
    transport: Any

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        self._send_deadline.arm(_deadlines()[1], self.transport)

    def resume_writing(self) -> None:
        super().resume_writing()  # type: ignore[misc]
        self._send_deadline.cancel()


class GuardedH11Protocol(_SendDeadline, H11Protocol):
    """uvicorn's h11 protocol plus the header and send deadlines."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_deadline = _Deadline()
        self._send_deadline = _Deadline()
        self._seen_cycle: Any = None
        super().connection_made(transport)
        self._header_deadline.arm(_deadlines()[0], transport)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._seen_cycle:
            self._seen_cycle = self.cycle  # a request's headers are complete
            self._header_deadline.cancel()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._header_deadline.arm(_deadlines()[0], self.transport)

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._header_deadline.cancel()  # the socket now belongs to the WebSocket protocol
        self._send_deadline.cancel()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_deadline.cancel()
        self._send_deadline.cancel()
        super().connection_lost(exc)


class GuardedWebSocketProtocol(_SendDeadline, WebSocketsSansIOProtocol):
    """uvicorn's websockets (sans-I/O) protocol plus the send deadline, and
    permessage-deflate that leaves big messages raw (``deflate.py``)."""

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        selective = selective_server_protocol(config, *_deflate_settings())
        if selective is not None:
            self.conn = selective

    def connection_made(self, transport: Any) -> None:
        self._send_deadline = _Deadline()
        self._lost = False
        super().connection_made(transport)

    async def run_asgi(self) -> None:
        await super().run_asgi()
        if not self._lost:  # the closing handshake gets send_timeout, then the cut
            self._send_deadline.arm(_deadlines()[1], self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._send_deadline.cancel()
        super().connection_lost(exc)
