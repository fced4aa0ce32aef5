"""Snapshots: a run's whole state as JSON-safe builtins, and its validated restore.

Float arrays travel as base64 of little-endian float64 bytes: exact (a browser's JSON
would round nothing, but lists of 17-digit decimals are three times larger) and cheap to
encode. The random stream's 128-bit integers travel as decimal strings, because a
browser's JSON numbers are doubles and would silently round them. The data is not stored:
it is a pure function of the config, regenerated on restore.

A snapshot may come from a client, so ``restore_snapshot`` trusts nothing: the config is
re-validated, every array's size is checked against the architecture, every value must be
finite, and counters must be consistent.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

import numpy as np

FORMAT = "nn-playground/snapshot"
VERSION = 1
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
MAX_HISTORY_ENTRIES = 4001
MAX_COUNTER = 2**53  # exact in a browser's JSON


def encode_array(a: np.ndarray, dtype: str = "<f8") -> str:
    """Base64 of the array's bytes in a fixed little-endian dtype."""
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode("ascii")


def decode_array(text: Any, size: int, name: str, dtype: str = "<f8") -> np.ndarray:
    """Inverse of ``encode_array``, checking length and finiteness; ValueError names ``name``."""
    if not isinstance(text, str):
        raise ValueError(f"snapshot {name} must be a base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"snapshot {name} is not valid base64") from None
    itemsize = np.dtype(dtype).itemsize
    if len(raw) != size * itemsize:
        raise ValueError(
            f"snapshot {name} has {len(raw) // itemsize} values, expected {size} "
            "(does it match the config's architecture?)"
        )
    arr = np.frombuffer(raw, dtype=dtype).astype(np.dtype(dtype).newbyteorder("="))
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"snapshot {name} contains NaN or infinity")
    return arr


def take_snapshot(trainer: Any) -> dict[str, Any]:
    """Everything ``restore_snapshot`` needs to continue the run bit-for-bit."""
    opt = trainer.optimizer.state_dict()
    opt["buffers"] = {k: encode_array(np.asarray(v)) for k, v in opt["buffers"].items()}
    state = trainer._rng.bit_generator.state
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": trainer.config.model_dump(mode="json"),
        "params": encode_array(trainer.network.flat),
        "optimizer": opt,
        "rng": {
            "bit_generator": state["bit_generator"],
            "state": str(state["state"]["state"]),
            "inc": str(state["state"]["inc"]),
            "has_uint32": int(state["has_uint32"]),
            "uinteger": str(state["uinteger"]),
        },
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "position": trainer._position,
        "order": encode_array(trainer._order, "<i4"),
        "history": {k: list(v) for k, v in trainer.history.items()},
        "diverged": trainer.diverged,
        "loss_ceiling": trainer.loss_ceiling,
    }


def _counter(snap: dict[str, Any], key: str, high: int = MAX_COUNTER) -> int:
    v = snap.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= high:
        raise ValueError(f"snapshot {key} must be an integer in 0..{high}, got {v!r}")
    return v


def _big_int(value: Any, name: str) -> int:
    if not isinstance(value, str) or not value.isdigit() or len(value) > 40:
        raise ValueError(f"snapshot rng {name} must be a decimal string")
    return int(value)


def _history(raw: Any) -> dict[str, list[Any]]:
    if not isinstance(raw, dict) or set(raw) != set(HISTORY_KEYS):
        raise ValueError(f"snapshot history must have exactly the keys {list(HISTORY_KEYS)}")
    lengths = {len(v) if isinstance(v, list) else -1 for v in raw.values()}
    if len(lengths) != 1 or lengths.pop() not in range(MAX_HISTORY_ENTRIES + 1):
        raise ValueError("snapshot history lists must be lists of one common, bounded length")
    out: dict[str, list[Any]] = {}
    for key, values in raw.items():
        for v in values:
            ok = v is None or (
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            )
            if not ok:
                raise ValueError(f"snapshot history {key} holds a non-finite or non-number value")
        out[key] = list(values)
    return out


def _default_loader(data: Any) -> Any:
    from playground.config import parse_config  # the validation edge, imported only here

    return parse_config(data)


def restore_snapshot(cls: Any, snap: Any, config_loader: Any = None) -> Any:
    """A ``cls`` trainer continuing exactly from ``snap``; ValueError on anything invalid."""
    if not isinstance(snap, dict):
        raise ValueError("a snapshot must be a JSON object")
    if snap.get("format") != FORMAT or snap.get("version") != VERSION:
        raise ValueError(f"not a {FORMAT} version {VERSION} snapshot")
    config = (config_loader or _default_loader)(snap.get("config"))
    trainer = cls(config)
    n = trainer.network.flat.size
    params = decode_array(snap.get("params"), n, "params")
    opt_state = snap.get("optimizer")
    if not isinstance(opt_state, dict) or not isinstance(opt_state.get("buffers"), dict):
        raise ValueError("snapshot optimizer must be an object with buffers")
    buffers = {k: decode_array(v, n, f"optimizer {k}") for k, v in opt_state["buffers"].items()}
    trainer.optimizer.load_state_dict({**opt_state, "buffers": buffers})
    rng = snap.get("rng")
    if not isinstance(rng, dict) or rng.get("bit_generator") != "PCG64":
        raise ValueError("snapshot rng must be a PCG64 state")
    has_uint32 = rng.get("has_uint32")
    if has_uint32 not in (0, 1) or isinstance(has_uint32, bool):
        raise ValueError("snapshot rng has_uint32 must be 0 or 1")
    try:
        trainer._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": _big_int(rng.get("state"), "state"),
                      "inc": _big_int(rng.get("inc"), "inc")},
            "has_uint32": has_uint32,
            "uinteger": _big_int(rng.get("uinteger"), "uinteger"),
        }  # fmt: skip
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"snapshot rng state is invalid: {e}") from None
    n_train = trainer.data.n_train
    order = decode_array(snap.get("order"), n_train, "order", "<i4").astype(np.int64)
    if not np.array_equal(np.sort(order), np.arange(n_train)):
        raise ValueError("snapshot order must be a permutation of the training points")
    diverged = snap.get("diverged")
    if diverged is not None and not (
        isinstance(diverged, dict)
        and isinstance(diverged.get("reason"), str)
        and len(diverged["reason"]) <= 1000
        and isinstance(diverged.get("step"), int)
    ):
        raise ValueError("snapshot diverged must be null or {step, reason}")
    ceiling = snap.get("loss_ceiling")
    if isinstance(ceiling, bool) or not isinstance(ceiling, int | float):
        raise ValueError("snapshot loss_ceiling must be a number")
    if not (math.isfinite(ceiling) and ceiling > 0):
        raise ValueError("snapshot loss_ceiling must be finite and positive")
    trainer.history = _history(snap.get("history"))
    trainer.loss_ceiling = float(ceiling)
    trainer.step_count = _counter(snap, "step")
    trainer.epoch = _counter(snap, "epoch")
    trainer._position = _counter(snap, "position", n_train)
    trainer._order = order
    trainer.diverged = diverged and {"step": diverged["step"], "reason": diverged["reason"]}
    trainer.network.flat[...] = params
    trainer._backup[...] = params
    trainer._metrics_at = None
    return trainer
