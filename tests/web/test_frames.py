"""Frame layout, quantization and JSON safety (docs/protocol.md, "Binary frames")."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from playground.web.frames import (
    decode_frame,
    dequantize,
    dumps,
    encode_frame,
    finite,
    json_safe,
    quantize,
    quantize_each,
)


def test_layout_matches_the_protocol_byte_by_byte() -> None:
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3)
    weights = np.array([[1.5, -2.0]], dtype=np.float32)
    frame = encode_frame({"type": "frame", "seq": 1}, [("g", grid, {"range": [0, 1]}),
                                                       ("W0", weights, {})])  # fmt: skip
    (length,) = struct.unpack_from("<I", frame, 0)
    header = json.loads(frame[4 : 4 + length])
    assert (4 + length) % 8 == 0, "payload must start 8-aligned so typed arrays need no copy"
    assert header["type"] == "frame" and header["seq"] == 1
    specs = {a["name"]: a for a in header["arrays"]}
    assert specs["g"] == {"name": "g", "dtype": "uint8", "shape": [2, 3], "offset": 0,
                          "range": [0, 1]}  # fmt: skip
    assert specs["W0"]["offset"] == 8, "6 bytes of grid, then padding to the next multiple of 8"
    payload = frame[4 + length :]
    assert payload[:6] == bytes(range(6))
    assert struct.unpack_from("<2f", payload, 8) == (1.5, -2.0)
    assert len(payload) == 16


def test_decode_inverts_encode() -> None:
    rng = np.random.default_rng(0)
    arrays = [
        ("a", rng.integers(0, 256, (3, 5, 5)).astype(np.uint8), {}),
        ("b", rng.normal(size=(7, 3)).astype(np.float32), {}),
        ("empty", np.zeros((0, 2), dtype=np.float32), {}),
    ]
    header, decoded = decode_frame(encode_frame({"type": "frame"}, arrays))
    assert [a["name"] for a in header["arrays"]] == ["a", "b", "empty"]
    for name, array, _ in arrays:
        assert decoded[name].dtype == array.dtype
        np.testing.assert_array_equal(decoded[name], array)


def test_encode_refuses_other_dtypes() -> None:
    with pytest.raises(ValueError, match="float64"):
        encode_frame({}, [("x", np.zeros(3), {})])


_SHORT = b'{"arrays":[{"name":"x","dtype":"float32","shape":[9],"offset":0}]}'


@pytest.mark.parametrize(
    "bad", [b"", b"\xff\xff\x00\x00{}", struct.pack("<I", len(_SHORT)) + _SHORT + b"\0" * 35]
)
def test_decode_rejects_truncated_frames(bad: bytes) -> None:
    with pytest.raises(ValueError):
        decode_frame(bad)


def test_quantize_uses_the_documented_formula_and_clips() -> None:
    values = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0], dtype=np.float32)
    codes = quantize(values, -1.0, 1.0)
    assert codes.dtype == np.uint8
    assert codes.tolist() == [0, 0, 128, 191, 255, 255]  # round((v + 1) / 2 * 255), clipped
    assert quantize(values, 1.0, 1.0).tolist() == [0] * 6


def test_quantize_each_uses_each_grids_own_range() -> None:
    grids = np.stack([np.linspace(0, 1, 16).reshape(4, 4), np.full((4, 4), 7.0),
                      np.linspace(-1e-3, 1e-3, 16).reshape(4, 4)]).astype(np.float32)  # fmt: skip
    codes, ranges = quantize_each(grids)
    assert ranges.dtype == np.float32 and ranges.shape == (3, 2)
    np.testing.assert_allclose(ranges, [[0, 1], [7, 7], [-1e-3, 1e-3]], rtol=1e-6)
    assert codes[0].min() == 0 and codes[0].max() == 255
    assert (codes[1] == 0).all(), "a constant grid is all lo"
    assert codes[2].min() == 0 and codes[2].max() == 255, "tiny activations keep full contrast"
    for k in (0, 2):
        lo, hi = ranges[k]
        step = (hi - lo) / 255
        assert np.abs(dequantize(codes[k], lo, hi) - grids[k]).max() <= step / 2 + 1e-6


def test_finite_replaces_and_reports_non_finite_values() -> None:
    ok = np.ones(3, dtype=np.float32)
    assert finite(ok)[1] is False and finite(ok)[0] is ok
    fixed, bad = finite(np.array([np.nan, np.inf, -np.inf, 2.0], dtype=np.float32))
    assert bad and np.isfinite(fixed).all() and fixed[0] == 0 and fixed[3] == 2


def test_json_never_carries_nan() -> None:
    data = {"loss": float("nan"), "x": [np.float32(1.5), float("inf")], "n": np.int64(3),
            "ok": np.bool_(True), "a": np.array([1.0, np.nan])}  # fmt: skip
    safe = json_safe(data)
    assert safe == {"loss": None, "x": [1.5, None], "n": 3, "ok": True, "a": [1.0, None]}
    assert json.loads(dumps(safe)) == safe
    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


def test_header_non_finite_numbers_become_null() -> None:
    header, _ = decode_frame(encode_frame({"type": "frame", "train_loss": float("inf")}, []))
    assert header["train_loss"] is None
