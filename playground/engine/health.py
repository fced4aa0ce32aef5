"""Training health over time: per-layer gradient norm and update/weight ratio per epoch,
and warnings that name the likely cause and the fix that is right for it.

At each epoch's end the trainer records, per weight layer, the norm of the last step's
gradient and the ratio of the last update's norm to the weight norm (a few dozen
multiply-adds per layer: free next to the epoch's training). Drawn on a log axis,
vanishing gradients show as the first layers' curves lying decades below the last one's,
exploding gradients as curves climbing steeply.

The warnings follow the usual rules of thumb (cs231n's "ratio of updates to weights
~1e-3"; Glorot & Bengio 2010 and He et al. 2015 on saturating activations and
initialization). Advice is specific to the cause: vanishing gradients are not fixed by a
higher learning rate, so that advice is never given for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

WINDOW = 5  # recent epochs a warning looks at (median, so one odd epoch does not trigger it)
VANISHING_RATIO = 1e-2  # first layer's gradient norm below this share of the last layer's
EXPLODING_RATIO = 1e2  # ... or above this multiple of it
EXPLODING_GROWTH = 1e2  # or the gradient norm grew this much over the window
UPDATE_HIGH, UPDATE_LOW = 1e-1, 1e-5  # update/weight ratio bounds (healthy is around 1e-3)
DEAD_SHARE = 0.5  # warn when at least this share of a layer's units is dead / saturated
LEARNED_LOSS = 0.02  # below this training loss tiny updates mean "done", not "too slow"
SATURATING = ("sigmoid", "tanh")

EXPLANATION = (
    "Each curve is one layer, measured at the end of every epoch on a log scale. "
    "The gradient norm says how strongly the loss pulls on that layer's weights: if the "
    "first layers' curves lie far below the last layer's, the signal fades on its way back "
    "(vanishing gradients) and those layers barely learn; curves shooting up mean "
    "exploding gradients. The update ratio is the size of each step compared with the "
    "weights themselves: around 0.001 is healthy; near 0.1 or above the weights are being "
    "thrown around (learning rate too high), far below 0.00001 the layer is standing still."
)


def layer_norms(net: Any, update: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """Per weight layer: gradient norm (weights and bias) and update norm / weight norm."""
    return norms_of(net.layer_sizes, net.grad_flat, net.flat, net.weight_mask, update)


def norms_of(
    sizes: Sequence[int],
    grad: np.ndarray,
    params: np.ndarray,
    weight_mask: np.ndarray,
    update: np.ndarray,
) -> tuple[list[float | None], list[float | None]]:
    """``layer_norms`` on flat vectors (the stacked trainer passes one run's row).

    Three ``reduceat`` sums over the flat vectors, not a loop of small norms: this runs at
    every epoch's end, whether or not anyone looks.
    """
    starts = np.cumsum([0] + [i * o + o for i, o in zip(sizes[:-1], sizes[1:], strict=True)])
    at = starts[:-1]
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.sqrt(np.add.reduceat(grad * grad, at))
        u = np.sqrt(np.add.reduceat(update * update, at))
        w = np.sqrt(np.add.reduceat(params * params * weight_mask, at))
        r = np.divide(u, w, out=np.full_like(u, np.nan), where=w > 0)
    grad_norms = [float(v) if math.isfinite(v) else None for v in g.tolist()]
    ratios = [float(v) if math.isfinite(v) else None for v in r.tolist()]
    return grad_norms, ratios


def _recent(series: Sequence[Sequence[float | None] | None], layer: int) -> float | None:
    values: list[float] = []
    for e in series[-WINDOW:]:
        v = e[layer] if e is not None and layer < len(e) else None
        if v:
            values.append(v)
    return float(np.median(values)) if values else None


def _warn(kind: str, layer: int | None, message: str, advice: str) -> dict[str, Any]:
    return {"kind": kind, "layer": layer, "message": message, "advice": advice}


def warnings(
    health: dict[str, list[Any]],
    activations: Sequence[str],
    current: dict[str, Any],
    train_loss: float | None,
) -> list[dict[str, Any]]:
    """Warnings about the recent epochs (``health``) and the current ``diagnostics``."""
    out: list[dict[str, Any]] = []
    grads, ratios = health["grad_norm"], health["update_ratio"]
    depth = len(current["layers"])
    first, last = _recent(grads, 0), _recent(grads, depth - 1)
    vanishing = False
    if depth >= 3 and first is not None and last is not None:
        if first < VANISHING_RATIO * last:
            vanishing = True
            bounded = [a for a in activations if a in SATURATING]
            if bounded:
                advice = (
                    f"The {bounded[0]} activation squashes the gradient at every layer. "
                    "Use a ReLU-family activation (ReLU, leaky ReLU, ELU) with He "
                    "initialization, or use fewer layers. A higher learning rate would "
                    "not help: it would throw the last layers around while the first still "
                    "stand still."
                )
            else:
                advice = (
                    "Use He initialization so every layer keeps the signal's scale, or use "
                    "fewer layers. A higher learning rate would not help the first layers."
                )
            what = f"vanishing gradients: the first layer's gradient is {first / last:.1e} "
            what += "of the last layer's"
            out.append(_warn("vanishing", 0, what, advice))
        elif first > EXPLODING_RATIO * last:
            out.append(_exploding(f"the first layer's gradient is {first / last:.0f}x the last's"))
    recent = [e[depth - 1] for e in grads[-WINDOW:] if e and len(e) == depth and e[depth - 1]]
    exploding = any(w["kind"] == "exploding" for w in out)
    if not exploding and len(recent) >= 2 and recent[-1] > EXPLODING_GROWTH * min(recent):
        out.append(_exploding("the gradient grew a hundredfold within a few epochs"))
    for layer in current["layers"]:
        k = layer["layer"]
        dead, sat = layer.get("dead_fraction"), layer.get("saturated_fraction")
        if dead is not None and dead >= DEAD_SHARE:
            out.append(_warn("dead", k, f"layer {k + 1}: {dead:.0%} of the ReLU units are dead "
                             "(never active on any training point)",
                             "Lower the learning rate (a big step pushed them below zero for "
                             "good), switch to leaky ReLU, or use He initialization."))  # fmt: skip
        if sat is not None and sat >= DEAD_SHARE:
            out.append(_warn("saturated", k, f"layer {k + 1}: {sat:.0%} of the units are "
                             "saturated (stuck at the ends of their range, where the "
                             "gradient is almost zero)",
                             "Start from smaller initial weights (e.g. Glorot) and lower the "
                             "learning rate."))  # fmt: skip
        r = _recent(ratios, k)
        if r is not None and r > UPDATE_HIGH:
            out.append(_warn("update_high", k, f"layer {k + 1}: each update changes the "
                             f"weights by {r:.0%} of their size (healthy is about 0.1 %)",
                             "Lower the learning rate (try 10x lower)."))  # fmt: skip
        elif (
            r is not None
            and r < UPDATE_LOW
            and not vanishing
            and (train_loss is None or train_loss > LEARNED_LOSS)
            and not (dead is not None and dead >= DEAD_SHARE)
        ):
            out.append(_warn("update_low", k, f"layer {k + 1}: updates are {r:.1e} of the "
                             "weights (healthy is about 1e-3): the layer barely moves",
                             "Raise the learning rate (try 10x higher)."))  # fmt: skip
    return out


def _exploding(why: str) -> dict[str, Any]:
    return _warn("exploding", None, f"exploding gradients: {why}",
                 "Lower the learning rate, or turn on gradient clipping (grad_clip).")  # fmt: skip


def report(
    epochs: Sequence[Any],
    health: dict[str, list[Any]],
    activations: Sequence[str],
    current: dict[str, Any],
    train_loss: float | None,
) -> dict[str, Any]:
    """The health view: per-layer series over epochs, warnings, and the chart's explanation."""
    depth = len(current["layers"])
    layers = []
    for k in range(depth):
        series: dict[str, Any] = {"layer": k}
        for key in ("grad_norm", "update_ratio"):
            series[key] = [e[k] if e is not None and k < len(e) else None for e in health[key]]
        layers.append(series)
    return {
        "epochs": list(epochs),
        "layers": layers,
        "current": current,
        "warnings": warnings(health, activations, current, train_loss),
        "explanation": EXPLANATION,
    }
