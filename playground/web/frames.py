"""The binary frame layout of ``docs/protocol.md``: encode, decode, quantize.

A frame is one WebSocket binary message::

    uint32 LE  H                header length in bytes (the header is space-padded so that
                                4 + H is a multiple of 8: every typed array can view the
                                message buffer in place, with no copy in the browser)
    H bytes    UTF-8 JSON       {"type": "frame", ..., "arrays": [{name, dtype, shape, offset}]}
    payload    arrays           each at ``offset`` bytes from the payload start, 8-aligned

Grids travel as uint8 (``q = round((v - lo) / (hi - lo) * 255)``), weights as float32,
so a default frame is ~16 KB instead of ~200 KB of JSON floats. Everything here is
vectorized NumPy: the encoder is on the hot path of every live session.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

_ALIGN = 8
_HEADER_LEN = struct.Struct("<I")
_DTYPES: dict[str, np.dtype[Any]] = {"uint8": np.dtype("u1"), "float32": np.dtype("<f4")}
#: Replacement for +-inf in a grid that overflowed (finite in float32, so ranges stay finite).
BIG = 1e30

Array = npt.NDArray[Any]
ArrayEntry = tuple[str, Array, Mapping[str, Any]]


def json_safe(value: Any) -> Any:
    """Copy ``value`` with every non-finite float replaced by None and NumPy scalars unwrapped.

    The wire never carries NaN or infinity: ``json.dumps(allow_nan=False)`` would raise
    on them, so a diverged loss is sent as ``null`` instead.
    """
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    return value


def dumps(message: Mapping[str, Any]) -> str:
    """Compact JSON for the wire; raises ValueError rather than ever emitting NaN."""
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


def finite(values: Array) -> tuple[Array, bool]:
    """Return ``values`` with NaN -> 0 and +-inf -> +-BIG, and whether anything was replaced."""
    if np.isfinite(values).all():
        return values, False
    return np.nan_to_num(values, nan=0.0, posinf=BIG, neginf=-BIG), True


def quantize(values: Array, lo: float, hi: float) -> Array:
    """uint8 codes of ``values`` on the fixed range [lo, hi]; values outside are clipped."""
    if not hi > lo:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (values.astype(np.float32, copy=False) - np.float32(lo)) * np.float32(
        255.0 / (hi - lo)
    )
    np.clip(scaled, 0.0, 255.0, out=scaled)
    scaled += 0.5
    return scaled.astype(np.uint8)


def quantize_each(grids: Array) -> tuple[Array, Array]:
    """Quantize each grid of a ``(N, r, r)`` stack on its own [min, max].

    Returns the uint8 codes and the ``(N, 2)`` float32 ranges. Each neuron gets its own
    range so a neuron with tiny activations is still drawn with full contrast.
    """
    grids = grids.astype(np.float32, copy=False)
    lo = grids.min(axis=(1, 2))
    hi = grids.max(axis=(1, 2))
    span = hi.astype(np.float64) - lo.astype(np.float64)
    scale = np.divide(255.0, span, out=np.zeros_like(span), where=span > 0).astype(np.float32)
    scaled = (grids - lo[:, None, None]) * scale[:, None, None]
    np.clip(scaled, 0.0, 255.0, out=scaled)
    scaled += 0.5
    ranges = np.stack([lo, hi], axis=1).astype(np.float32)
    return scaled.astype(np.uint8), ranges


def dequantize(codes: Array, lo: float, hi: float) -> Array:
    """Inverse of :func:`quantize` (to within half a step): what the page computes."""
    return lo + codes.astype(np.float32) * np.float32((hi - lo) / 255.0)


@dataclass
class SharedPayload:
    """Arrays laid out once for the frames of many pages (pages on one shared path,
    ``frame_cache.py``): their header entries (offsets from the payload's start), their
    bytes, and those bytes deflated once per compressor setting (``deflate.py``)."""

    specs: list[dict[str, Any]]
    data: bytes
    _deflated: dict[tuple[Any, ...], bytes] = field(default_factory=dict)

    def deflated(self, window_bits: int, settings: Mapping[str, Any]) -> bytes:
        """Raw deflate of ``data`` by a fresh compressor, ending with a sync flush (so it
        can follow any byte-aligned deflate stream and never refers to what came before)."""
        key = (window_bits, *sorted(settings.items()))
        hit = self._deflated.get(key)
        if hit is None:
            compressor = zlib.compressobj(wbits=-window_bits, **settings)
            hit = compressor.compress(self.data) + compressor.flush(zlib.Z_SYNC_FLUSH)
            self._deflated[key] = hit
        return hit


class SharedFrame(bytes):
    """A frame's bytes that end with a ``SharedPayload``: the first ``head`` bytes are
    this page's own (length and header), the rest is ``shared.data``."""

    head: int
    shared: SharedPayload


def share_payload(arrays: Iterable[ArrayEntry]) -> SharedPayload:
    """Lay ``arrays`` out once, for ``encode_frame(..., shared=...)``."""
    specs, parts = _lay_out(arrays, 0)
    return SharedPayload(specs, b"".join(parts))


def encode_frame(
    header: Mapping[str, Any], arrays: Iterable[ArrayEntry], shared: SharedPayload | None = None
) -> bytes:
    """Lay out one frame: header length, padded JSON header, aligned arrays.

    ``arrays`` holds ``(name, array, extra)``; ``extra`` (e.g. ``{"range": [lo, hi]}``)
    is merged into the array's header entry. Only uint8 and float32 arrays are allowed.
    ``shared`` arrays (laid out already) come first; a frame that is header plus
    ``shared`` only comes back as a ``SharedFrame``.
    """
    start = 0 if shared is None else len(shared.data)
    specs, parts = _lay_out(arrays, start)
    body = dict(header)
    body["arrays"] = specs if shared is None else [*shared.specs, *specs]
    try:  # the common case: plain finite Python values, no copy needed
        text = dumps(body).encode("utf-8")
    except (TypeError, ValueError):  # NumPy scalars, NaN or infinity somewhere
        text = dumps(json_safe(body)).encode("utf-8")
    text += b" " * (-(_HEADER_LEN.size + len(text)) % _ALIGN)
    head = [_HEADER_LEN.pack(len(text)), text]
    if shared is None:
        return b"".join([*head, *parts])
    if parts:
        return b"".join([*head, shared.data, *parts])
    frame = SharedFrame(b"".join([*head, shared.data]))
    frame.head, frame.shared = _HEADER_LEN.size + len(text), shared
    return frame


def _lay_out(arrays: Iterable[ArrayEntry], offset: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """Header entries and byte parts of ``arrays`` placed from ``offset`` (8-aligned)."""
    specs: list[dict[str, Any]] = []
    parts: list[Any] = []
    for name, array, extra in arrays:
        dtype_name = array.dtype.name
        if dtype_name not in _DTYPES:
            raise ValueError(f"array {name!r} has dtype {dtype_name}; only uint8/float32 frame")
        data = np.ascontiguousarray(array, dtype=_DTYPES[dtype_name])
        pad = -offset % _ALIGN
        if pad:
            parts.append(b"\0" * pad)
            offset += pad
        spec = {"name": name, "dtype": dtype_name, "shape": list(data.shape), "offset": offset}
        spec.update(extra)
        specs.append(spec)
        parts.append(data.data.cast("B") if data.size else b"")
        offset += data.nbytes
    return specs, parts


def decode_frame(message: bytes) -> tuple[dict[str, Any], dict[str, Array]]:
    """Parse a frame into its header and named arrays (read-only views into ``message``).

    The reference decoder for tests, benchmarks and Python clients; ``static/js`` does
    the same in the browser. Raises ValueError on a malformed frame.
    """
    if len(message) < _HEADER_LEN.size:
        raise ValueError("frame shorter than its 4-byte header length")
    (length,) = _HEADER_LEN.unpack_from(message, 0)
    start = _HEADER_LEN.size + length
    if start > len(message):
        raise ValueError(f"header length {length} runs past the end of a {len(message)}-byte frame")
    header = json.loads(message[_HEADER_LEN.size : start].decode("utf-8"))
    arrays: dict[str, Array] = {}
    for spec in header.get("arrays", []):
        dtype = _DTYPES.get(spec["dtype"])
        if dtype is None:
            raise ValueError(f"unknown dtype {spec['dtype']!r} for array {spec['name']!r}")
        shape = tuple(int(n) for n in spec["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        begin = start + int(spec["offset"])
        if begin + count * dtype.itemsize > len(message):
            raise ValueError(f"array {spec['name']!r} runs past the end of the frame")
        arrays[spec["name"]] = np.frombuffer(message, dtype, count, begin).reshape(shape)
    return header, arrays
