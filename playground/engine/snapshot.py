"""Snapshots: a run's whole state as JSON-safe builtins, and its validated restore.

Float arrays travel as base64 of little-endian float64 bytes: exact (a browser's JSON
would round nothing, but lists of 17-digit decimals are three times larger) and cheap to
encode. The random stream's 128-bit integers travel as decimal strings, because a
browser's JSON numbers are doubles and would silently round them. The data is not stored:
it is a pure function of the config, regenerated on restore.

A snapshot may come from a client, so ``restore_snapshot`` trusts nothing: the config is
re-validated (by the loader the config layer registers with ``set_config_loader``: the
engine does not import it), every array's size is checked against the architecture,
every value must be finite, and counters must be consistent.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from playground.engine.spec import spec_of
from playground.engine.state import HEALTH_KEYS, HISTORY_KEYS, LOSS_CEILING_RANGE, RunState
from playground.engine.surgery import by_layer, check_states

FORMAT = "nn-playground/snapshot"
VERSION = 3
#: 2 added the optional display timeline; 3 the dropout stream and TF mode's dead links.
#: Older versions still restore: their dropout stream starts where a fresh run's does.
VERSIONS = (1, 2, VERSION)
MAX_HISTORY_ENTRIES = 4001
MAX_TIMELINE_EVENTS = 1000
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


ConfigLoader = Callable[[Any], Any]
_loader: ConfigLoader | None = None


def set_config_loader(loader: ConfigLoader) -> None:
    """Register the validator that turns a snapshot's (untrusted) config into a config."""
    global _loader
    _loader = loader


def _encode_rng(generator: np.random.Generator) -> dict[str, Any]:
    rng = generator.bit_generator.state
    return {
        "bit_generator": rng["bit_generator"],
        "state": str(rng["state"]["state"]),
        "inc": str(rng["state"]["inc"]),
        "has_uint32": int(rng["has_uint32"]),
        "uinteger": str(rng["uinteger"]),
    }


def _decode_rng(rng_data: Any, name: str) -> np.random.Generator:
    if not isinstance(rng_data, dict) or rng_data.get("bit_generator") != "PCG64":
        raise ValueError(f"snapshot {name} must be a PCG64 state")
    has_uint32 = rng_data.get("has_uint32")
    if has_uint32 not in (0, 1) or isinstance(has_uint32, bool):
        raise ValueError(f"snapshot {name} has_uint32 must be 0 or 1")
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": _big_int(rng_data.get("state"), name, "state"),
                      "inc": _big_int(rng_data.get("inc"), name, "inc")},
            "has_uint32": has_uint32,
            "uinteger": _big_int(rng_data.get("uinteger"), name, "uinteger"),
        }  # fmt: skip
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"snapshot {name} state is invalid: {e}") from None
    return rng


def take_snapshot(state: RunState, network: Any, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything ``restore_snapshot`` needs to continue the run bit-for-bit."""
    opt = state.optimizer.state_dict()
    opt["buffers"] = {k: encode_array(np.asarray(v)) for k, v in opt["buffers"].items()}
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": state.config.model_dump(mode="json"),
        "params": encode_array(network.flat),
        "optimizer": opt,
        "rng": _encode_rng(state.rng),
        "dropout_rng": _encode_rng(state.dropout_rng),
        "dead": None if state.dead is None else encode_array(state.dead, "u1"),
        "step": state.step,
        "epoch": state.epoch,
        "position": state.position,
        "order": encode_array(state.order, "<i4"),
        "history": {k: list(v) for k, v in state.history.items()},
        "diverged": state.diverged,
        "loss_ceiling": state.loss_ceiling,
        "timeline": events[-MAX_TIMELINE_EVENTS:],
        # optional fields (absent: every unit active, no health record)
        "neurons": None if state.neurons is None else by_layer(
            spec_of(state.config).hidden, state.neurons),
        "health": _encode_health(state.health),
    }  # fmt: skip


def _counter(snap: dict[str, Any], key: str, high: int = MAX_COUNTER) -> int:
    v = snap.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= high:
        raise ValueError(f"snapshot {key} must be an integer in 0..{high}")
    return v


def _big_int(value: Any, stream: str, name: str) -> int:
    ok = isinstance(value, str) and 0 < len(value) <= 40 and value.isascii() and value.isdigit()
    if not ok:
        raise ValueError(f"snapshot {stream} {name} must be a decimal string")
    return int(value)


def _is_number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v) and abs(v) <= MAX_COUNTER
    except OverflowError:
        return False


def _history(raw: Any, version: int) -> dict[str, list[Any]]:
    if version < VERSION and isinstance(raw, dict) and "learning_rate" not in raw:
        epochs = raw.get("epoch")  # older histories had no learning rate: unknown (null)
        raw = {**raw, "learning_rate": [None] * len(epochs if isinstance(epochs, list) else [])}
    if not isinstance(raw, dict) or set(raw) != set(HISTORY_KEYS):
        raise ValueError(f"snapshot history must have exactly the keys {list(HISTORY_KEYS)}")
    lengths = {len(v) if isinstance(v, list) else -1 for v in raw.values()}
    if len(lengths) != 1 or lengths.pop() not in range(MAX_HISTORY_ENTRIES + 1):
        raise ValueError("snapshot history lists must be lists of one common, bounded length")
    out: dict[str, list[Any]] = {}
    for key, values in raw.items():
        for v in values:
            if not (v is None or _is_number(v)):
                raise ValueError(f"snapshot history {key} holds a non-finite or non-number value")
        out[key] = list(values)
    return out


def _encode_health(health: dict[str, list[Any]]) -> dict[str, Any]:
    """Per-epoch, per-layer values as base64 float32 (0 = missing): compact on the wire."""
    width = max((len(e) for v in health.values() for e in v if e), default=0)
    out: dict[str, Any] = {"epochs": len(health[HEALTH_KEYS[0]]), "layers": width}
    for key in HEALTH_KEYS:
        table = np.zeros((len(health[key]), width), dtype="<f4")
        for i, entry in enumerate(health[key]):
            for k, v in enumerate(entry or ()):
                table[i, k] = v if v is not None and v < 3e38 else 0.0
        out[key] = encode_array(table, "<f4")
    return out


def _health(raw: Any, length: int, depth: int) -> dict[str, list[Any]]:
    """The optional per-epoch health record (a display record: one that does not match the
    history's length is replaced by empty entries rather than refusing the snapshot)."""
    empty = {k: [None] * length for k in HEALTH_KEYS}
    if raw is None:
        return empty
    if not isinstance(raw, dict) or not set(HEALTH_KEYS) <= set(raw):
        raise ValueError(f"snapshot health must be an object with {list(HEALTH_KEYS)}")
    epochs = _counter(raw, "epochs", MAX_HISTORY_ENTRIES)
    layers = _counter(raw, "layers", depth)
    out: dict[str, list[Any]] = {}
    for key in HEALTH_KEYS:
        table = decode_array(raw[key], epochs * layers, f"health {key}", "<f4")
        if (table < 0).any():
            raise ValueError(f"snapshot health {key} holds a negative value")
        rows = table.astype(np.float64).reshape(epochs, layers).tolist()
        out[key] = [[v if v > 0 else None for v in row] for row in rows]
    return out if epochs == length else empty


def _timeline(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_TIMELINE_EVENTS:
        raise ValueError(f"snapshot timeline must be a list of at most {MAX_TIMELINE_EVENTS}")
    events = []
    for e in raw:
        ok = (
            isinstance(e, dict)
            and isinstance(e.get("kind"), str)
            and len(e["kind"]) <= 32
            and isinstance(e.get("detail"), str)
            and len(e["detail"]) <= 500
            and all(
                not isinstance(e.get(k), bool)
                and isinstance(e.get(k), int)
                and 0 <= e[k] <= MAX_COUNTER
                for k in ("step", "epoch")
            )
        )
        if not ok:
            raise ValueError("snapshot timeline entries must be {step, epoch, kind, detail}")
        events.append({k: e[k] for k in ("step", "epoch", "kind", "detail")})
    return events


def restore_snapshot(snap: Any, config_loader: ConfigLoader | None = None) -> tuple[Any, Any]:
    """Validate ``snap``'s envelope and config; returns ``(config, build)``.

    The caller builds a fresh run of ``config`` and calls
    ``build(fresh_state, n_train, weight_mask)``, which returns the snapshot's ``RunState``
    (taking the fresh optimizer to load into, and the fresh dropout stream for snapshots
    older than version 3) and its display timeline, or raises ValueError on anything
    invalid. ``weight_mask`` (1 for weights, 0 for biases) checks the dead links.
    """
    if not isinstance(snap, dict):
        raise ValueError("a snapshot must be a JSON object")
    version = snap.get("version")
    if snap.get("format") != FORMAT or type(version) is not int or version not in VERSIONS:
        raise ValueError(f"not a {FORMAT} version 1 to {VERSION} snapshot")
    loader = config_loader or _loader
    if loader is None:
        raise ValueError("no config loader registered (import playground.config)")
    config = loader(snap.get("config"))

    def build(
        fresh: RunState, n_train: int, weight_mask: np.ndarray
    ) -> tuple[RunState, list[dict[str, Any]]]:
        state = _state_of(snap, config, fresh, n_train, weight_mask)
        return state, _timeline(snap.get("timeline"))

    return config, build


def _dead(raw: Any, params: np.ndarray, weight_mask: np.ndarray) -> np.ndarray | None:
    """TF mode's dead links: weights (never biases) that L1 snapped to exactly 0."""
    if raw is None:
        return None
    flags = decode_array(raw, params.size, "dead", "u1")
    if not np.isin(flags, (0, 1)).all():
        raise ValueError("snapshot dead must hold only 0 and 1")
    dead = flags.astype(bool)
    if (weight_mask[dead] == 0).any() or (params[dead] != 0).any():
        raise ValueError("snapshot dead may only mark weights that are exactly 0")
    return dead


def _state_of(snap: dict[str, Any], config: Any, fresh: RunState, n_train: int,
              weight_mask: np.ndarray) -> RunState:  # fmt: skip
    n = fresh.params.size
    params = decode_array(snap.get("params"), n, "params")
    opt_state = snap.get("optimizer")
    if not isinstance(opt_state, dict) or not isinstance(opt_state.get("buffers"), dict):
        raise ValueError("snapshot optimizer must be an object with buffers")
    buffers = {k: decode_array(v, n, f"optimizer {k}") for k, v in opt_state["buffers"].items()}
    optimizer = fresh.optimizer
    expected = optimizer.hyper  # the fresh optimizer was built from the snapshot's config
    hyper = opt_state.get("hyper")
    if (
        not isinstance(hyper, dict)
        or set(hyper) != set(expected)
        or any(
            isinstance(v, bool) or not isinstance(v, int | float) or v != expected[k]
            for k, v in hyper.items()
        )
    ):
        raise ValueError(f"snapshot optimizer hyperparameters must equal the config's: {expected}")
    optimizer.load_state_dict({**opt_state, "buffers": buffers})
    rng = _decode_rng(snap.get("rng"), "rng")
    if snap.get("version") == VERSION:
        dropout_rng = _decode_rng(snap.get("dropout_rng"), "dropout_rng")
        dead = _dead(snap.get("dead"), params, weight_mask)
    else:  # older snapshots drew dropout from ``rng`` and kept no dead links
        dropout_rng, dead = fresh.dropout_rng, None
    order = decode_array(snap.get("order"), n_train, "order", "<i4").astype(np.int64)
    if not np.array_equal(np.sort(order), np.arange(n_train)):
        raise ValueError("snapshot order must be a permutation of the training points")
    diverged = snap.get("diverged")
    if diverged is not None and not (
        isinstance(diverged, dict)
        and isinstance(diverged.get("reason"), str)
        and len(diverged["reason"]) <= 1000
        and not isinstance(diverged.get("step"), bool)
        and isinstance(diverged.get("step"), int)
        and 0 <= diverged["step"] <= MAX_COUNTER
    ):
        raise ValueError("snapshot diverged must be null or {step, reason}")
    ceiling: Any = snap.get("loss_ceiling")
    low, high = LOSS_CEILING_RANGE
    if not _is_number(ceiling) or not low <= ceiling <= high:
        raise ValueError(f"snapshot loss_ceiling must be a number in [{low:g}, {high:g}]")
    history = _history(snap.get("history"), snap["version"])
    spec = spec_of(config)
    return RunState(
        config=config,
        params=params,
        optimizer=optimizer,
        rng=rng,
        dropout_rng=dropout_rng,
        order=order,
        position=_counter(snap, "position", n_train - 1),
        step=_counter(snap, "step"),
        epoch=_counter(snap, "epoch"),
        history=history,
        diverged=diverged and {"step": diverged["step"], "reason": diverged["reason"]},
        loss_ceiling=float(ceiling),
        backup=params.copy(),
        dead=dead,
        neurons=check_states(snap.get("neurons"), spec.hidden),
        health=_health(snap.get("health"), len(history["epoch"]), len(spec.hidden) + 1),
    )
