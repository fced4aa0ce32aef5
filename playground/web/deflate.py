"""permessage-deflate that leaves big messages uncompressed, so the event loop never deflates them.

uvicorn compresses every outgoing WebSocket message on the event loop. For a default
frame (13 KB -> 5 KB) that takes well under a millisecond and saves bandwidth; for the
largest frame (1.2 MB of quantized neuron grids, which deflate only shrinks by ~25 %) it
took over 100 ms on a busy machine, during which no other client got a frame. RFC 7692
lets a sender choose per message (the RSV1 bit marks compressed ones), and the two ends'
contexts stay in step because only compressed messages enter them, so messages larger
than ``ws_deflate_max_bytes`` are simply sent as they are.

Frames whose pictures many pages share (``frames.SharedFrame``: pages on one lesson's
shared path) are deflated in two parts: this page's header by a one-off compressor, then
the shared payload's deflated form, computed once per worker (``SharedPayload.deflated``).
Both end on a byte boundary (sync flush) and neither refers to earlier data, so together
they are one valid deflate stream. The peer's window now holds bytes this connection's
compressor never saw, so that compressor starts afresh: later messages never refer to
what came before (valid with or without context takeover, RFC 7692 section 7.2.3).

``selective_server_protocol(config, limit)`` builds the websockets protocol object with
this extension in place of the stock one; ``transport.GuardedWebSocketProtocol`` (the
``ws=`` class ``serve.py`` passes to uvicorn) uses it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import Any

from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import Frame, Opcode
from websockets.typing import ExtensionParameter

from playground.web.frames import SharedFrame


class SelectiveDeflate(PerMessageDeflate):
    """Compress single-frame messages up to ``limit`` bytes; send larger ones raw."""

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    def encode(self, frame: Frame) -> Frame:
        big = frame.opcode in (Opcode.TEXT, Opcode.BINARY) and len(frame.data) > self.limit
        if big and frame.fin:  # uvicorn sends each message as one frame
            return frame
        if isinstance(frame.data, SharedFrame) and frame.fin and frame.opcode is Opcode.BINARY:
            return self._encode_shared(frame, frame.data)
        return super().encode(frame)

    def _encode_shared(self, frame: Frame, data: SharedFrame) -> Frame:
        """This page's header deflated afresh, then the shared payload deflated once."""
        bits, settings = self.local_max_window_bits, self.compress_settings
        one_off = zlib.compressobj(wbits=-bits, **settings)
        head = one_off.compress(data[: data.head]) + one_off.flush(zlib.Z_SYNC_FLUSH)
        tail = data.shared.deflated(bits, settings)
        if not self.local_no_context_takeover:  # nothing later may refer to what we skipped
            self.encoder = zlib.compressobj(wbits=-bits, **settings)
        # the message ends without the sync flush's empty block (RFC 7692 section 7.2.1)
        return Frame(frame.opcode, head + tail[:-4], frame.fin, True, frame.rsv2, frame.rsv3)


class SelectiveDeflateFactory(ServerPerMessageDeflateFactory):
    """Negotiates like the stock factory, then hands out ``SelectiveDeflate``."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def process_request_params(
        self, params: Sequence[ExtensionParameter], accepted_extensions: Sequence[Extension]
    ) -> tuple[list[ExtensionParameter], PerMessageDeflate]:
        response, stock = super().process_request_params(params, accepted_extensions)
        extension = SelectiveDeflate(
            stock.remote_no_context_takeover,
            stock.local_no_context_takeover,
            stock.remote_max_window_bits,
            stock.local_max_window_bits,
            stock.compress_settings,
            limit=self.limit,
        )
        return response, extension


def selective_server_protocol(config: Any, limit: int, level: int = 1) -> Any:
    """A websockets ``ServerProtocol`` negotiating ``SelectiveDeflate`` with uvicorn's
    settings, or None when the config does not ask for compression.

    ``level`` is zlib's: 1 deflates a reference frame (26.5 KB) to 17.1 KB in 0.65 ms, the
    usual 6 to 16.3 KB in 0.99 ms, on the event loop of a worker serving a whole class.

    uvicorn's sans-I/O protocol builds its ``ServerProtocol`` in ``__init__`` with the
    stock deflate factory; ``transport.GuardedWebSocketProtocol`` replaces it with this one.
    """
    from websockets.server import ServerProtocol

    if not config.ws_per_message_deflate:
        return None
    factory = SelectiveDeflateFactory(
        limit,
        server_max_window_bits=12,
        client_max_window_bits=12,
        compress_settings={"memLevel": 5, "level": level},
    )
    return ServerProtocol(
        extensions=[factory],
        max_size=config.ws_max_size,
        logger=logging.getLogger("uvicorn.error"),
    )
