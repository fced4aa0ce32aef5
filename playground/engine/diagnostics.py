"""Training-health diagnostics, cheap enough for every frame.

Per weight layer: the gradient norm of the last step, the weight norm, and the ratio of
the last update's norm to the weight norm (around 1e-3 is healthy; much larger means the
learning rate is too high, much smaller that the layer barely learns). Per hidden layer,
from one forward pass over the training set: the fraction of dead units (ReLU family:
never active on any training point), of saturated units (bounded activations: beyond 97 %
of their range on most points, where their gradient vanishes), and a histogram of the
activations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SATURATION = 0.97  # share of a bounded activation's half-range counted as saturated
SATURATED_SHARE = 0.9  # a unit is saturated when this share of points saturate it
HISTOGRAM_BINS = 20


def _norm(a: np.ndarray) -> float:
    return math.sqrt(float(np.dot(a.ravel(), a.ravel())))


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
def diagnose(net: Any, update: np.ndarray, F_train: np.ndarray) -> dict[str, Any]:
    """Diagnostics of ``net`` on the training features (see module docstring).

    ``update`` is the last step's change of every parameter (flat).

    A run that diverged may hold huge weights: overflow is expected and reported as None
    (never a NaN), so NumPy's overflow warnings are silenced here.
    """
    start = 0
    layers = []
    _, hidden = net.forward(F_train)
    for k, ((W, b), (gW, gb)) in enumerate(zip(net.params, net.grads, strict=True)):
        size = W.size + b.size
        w_norm = _norm(W)
        u_norm = _norm(update[start : start + size])
        start += size
        layer: dict[str, Any] = {
            "layer": k,
            "grad_norm": _finite(math.hypot(_norm(gW), _norm(gb))),
            "weight_norm": _finite(w_norm),
            "update_ratio": _finite(u_norm / w_norm) if w_norm > 0 else None,
            "dead_fraction": None,
            "saturated_fraction": None,
            "histogram": None,
        }
        if k < len(hidden):
            a = hidden[k]
            mask = net.unit_masks[k]
            if mask is not None:  # knocked-out units are not dead: they are switched off
                a = a[:, mask > 0]
            if a.shape[1]:
                layer.update(_activation_health(net.activations[k], a))
        layers.append(layer)
    return {"layers": layers}


def _activation_health(act: Any, a: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if act.can_die:
        out["dead_fraction"] = float(np.mean(np.all(a <= 0.0, axis=0)))
    if act.bounds is not None:
        lo, hi = act.bounds
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        near = np.abs(a - mid) >= SATURATION * half
        out["saturated_fraction"] = float(np.mean(np.mean(near, axis=0) >= SATURATED_SHARE))
    finite = a[np.isfinite(a)]
    if finite.size:
        lo_e, hi_e = float(finite.min()), float(finite.max())
        if hi_e == lo_e:
            hi_e = lo_e + 1.0
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS, range=(lo_e, hi_e))
        out["histogram"] = {"edges": edges.tolist(), "counts": counts.tolist()}
    return out
