"""Turn a trainer's current state into one binary frame (see ``docs/protocol.md``).

This is the only place that knows which arrays a frame carries and how each is scaled;
``frames.py`` knows the byte layout. Non-finite values are replaced before encoding and
reported, so the caller can treat them as a divergence instead of sending NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.engine.trainer import Trainer
from playground.web.frame_cache import FrameCache, content_key
from playground.web.frames import (
    ArrayEntry,
    SharedPayload,
    encode_frame,
    finite,
    quantize,
    quantize_each,
    share_payload,
)
from playground.web.insight import health_part, hidden_part
from playground.web.protocol import View


@dataclass(frozen=True)
class FrameState:
    """What the connection knows that the trainer does not: counters and flags."""

    seq: int
    data_version: int
    send_points: bool
    playing: bool
    run: str = "A"
    at: int | None = None  # the past step shown (``seek``), or None for the live run


def _points(trainer: Trainer) -> list[ArrayEntry]:
    data = trainer.data
    points = np.concatenate([data.X_train, data.X_test]).astype(np.float32)
    labels = np.concatenate([data.y_train, data.y_test]).astype(np.float32)
    is_train = np.zeros(len(points), dtype=np.uint8)
    is_train[: len(data.X_train)] = 1
    return [("points", points, {}), ("labels", labels, {}), ("is_train", is_train, {})]


def frame_arrays(trainer: Trainer, view: View, send_points: bool) -> tuple[list[ArrayEntry], bool]:
    """Every array of a frame, and whether any value was non-finite (and replaced)."""
    arrays, bad = _pictures(trainer, view)
    if send_points:
        arrays += _points(trainer)
    return arrays, bad


def _shared_pictures(trainer: Trainer, view: View, cache: FrameCache | None
                     ) -> tuple[SharedPayload | None, list[ArrayEntry], bool]:  # fmt: skip
    """The pictures and weights laid out once for every page with the same content
    (``cache``), or as arrays of this frame's own when it is not worth sharing; and
    whether any value was non-finite."""
    if cache is None or not cache.wants(trainer):
        arrays, bad = _pictures(trainer, view)
        return None, arrays, bad
    key = content_key(trainer, view)
    hit = cache.get(key)
    if hit is None:
        arrays, bad = _pictures(trainer, view)
        hit = (share_payload(arrays), bad)
        cache.put(key, hit)
    return hit[0], [], hit[1]


def _pictures(trainer: Trainer, view: View) -> tuple[list[ArrayEntry], bool]:
    """The grids and weights of a frame (everything but the data points)."""
    rendering = trainer.render(view.resolution, view.neuron_resolution)
    lo, hi = (float(v) for v in rendering.output_range)
    output, bad = finite(rendering.output)
    arrays: list[ArrayEntry] = [("output", quantize(output, lo, hi), {"range": [lo, hi]})]
    neurons = [grid for grid in rendering.neurons if len(grid)]
    if neurons:
        stack, bad_neurons = finite(np.concatenate(neurons, axis=0))
        bad |= bad_neurons
        codes, ranges = quantize_each(stack)
        arrays += [("neurons", codes, {}), ("neuron_ranges", ranges, {})]
    features, bad_features = finite(rendering.features)
    bad |= bad_features
    codes, ranges = quantize_each(features)
    arrays += [("features", codes, {}), ("feature_ranges", ranges, {})]
    for k, (W, b) in enumerate(trainer.network.params):
        W32, bad_w = finite(W.astype(np.float32))
        b32, bad_b = finite(b.astype(np.float32))
        bad |= bad_w | bad_b
        arrays += [(f"W{k}", W32, {}), (f"b{k}", b32, {})]
    return arrays, bad


def frame_header(trainer: Trainer, view: View, state: FrameState) -> dict[str, Any]:
    """The JSON header of a frame (before ``arrays`` is added by the encoder)."""
    cfg = trainer.config
    header: dict[str, Any] = {"type": "frame", "seq": state.seq, "run": state.run, "at": state.at}
    header.update(trainer.metrics())
    header.update(
        {
            "problem": trainer.problem,
            "loss": cfg.loss,
            "layer_sizes": list(trainer.network.layer_sizes),
            "features": list(cfg.features),
            "activations": cfg.activations,
            "playing": state.playing,
            "diverged": trainer.diverged,
            "diagnostics": trainer.diagnostics() if view.diagnostics else None,
            "data_version": state.data_version,
            "n_train": trainer.data.n_train,
            "n_test": len(trainer.data.X_test),
            # neuron surgery: per layer, each unit's state; null while every unit is active
            "neurons": trainer.neurons if trainer.state.neurons is not None else None,
        }
    )
    return header


def build_frame(trainer: Trainer, view: View, state: FrameState,
                cache: FrameCache | None = None) -> tuple[bytes, bool]:  # fmt: skip
    """Encode the trainer's state as one frame; the flag is True if anything was non-finite.

    Huge (but finite) float64 weights overflow float32 while rendering; NumPy's warnings
    are silenced here because ``finite`` catches and reports exactly those values.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        shared, arrays, bad = _shared_pictures(trainer, view, cache)
        if state.send_points:
            arrays += _points(trainer)
        header = frame_header(trainer, view, state)
        for name, part in (("hidden_space", hidden_part), ("health", health_part)):
            extra, entry = part(trainer, view)  # open insight views only: closed cost nothing
            if entry is not None:
                arrays += extra
                header[name] = entry
    return encode_frame(header, arrays, shared), bad
