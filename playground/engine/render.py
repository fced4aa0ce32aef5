"""Grid rendering: the output and every neuron over the input square, in float32.

The page draws the decision boundary and a small picture per neuron; both are the network
evaluated on a regular grid. float32 halves memory traffic and makes the transcendental
functions (tanh, exp) several times cheaper than float64, which is what keeps a frame's
render within a couple of milliseconds. Grids come back ready to quantize for the wire.

Orientation: ``grid[i, j]`` is the value at ``x1 = xs[j]``, ``x2 = xs[i]`` with
``xs = linspace(-6, 6, R)``: row 0 is the bottom of the square.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.engine.features import feature_matrix
from playground.engine.network import Network

BOUND = 6.0
MIN_RESOLUTION, MAX_RESOLUTION = 2, 200
_CACHE_SIZE = 8
_grid_cache: OrderedDict[tuple[tuple[str, ...], int], tuple[np.ndarray, np.ndarray]] = OrderedDict()


@dataclass(frozen=True)
class Rendering:
    """Float32 grids of the output, of each hidden layer's neurons and of each feature."""

    output: np.ndarray  # (R, R), or (K, R, R) for multiclass
    neurons: list[np.ndarray]  # per hidden layer: (n_l, r, r)
    features: np.ndarray  # (F, r, r)
    output_range: tuple[float, float]


def grid_points(resolution: int) -> np.ndarray:
    """The (R*R, 2) grid points, row-major with x2 outer (rows) and x1 inner (columns)."""
    xs = np.linspace(-BOUND, BOUND, resolution)
    x1, x2 = np.meshgrid(xs, xs)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def grid_features(names: Sequence[str], resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (float32) of the grid and its feature grids (F, R, R); cached."""
    key = (tuple(names), resolution)
    hit = _grid_cache.get(key)
    if hit is None:
        F = feature_matrix(grid_points(resolution), names, dtype=np.float32)
        grids = np.ascontiguousarray(F.T.reshape(len(names), resolution, resolution))
        hit = _grid_cache[key] = (F, grids)
        if len(_grid_cache) > _CACHE_SIZE:
            _grid_cache.popitem(last=False)
    else:
        _grid_cache.move_to_end(key)
    return hit


def _grid_rows(names: Sequence[str], resolution: int) -> np.ndarray:
    """The grid's features as rows, (F, R*R) float32, points along the last axis: the
    cached feature grids, viewed flat."""
    return grid_features(names, resolution)[1].reshape(len(names), -1)


def _check_resolution(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not MIN_RESOLUTION <= value <= MAX_RESOLUTION:
        raise ValueError(f"{name} must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}")
    return int(value)


def _layer(W: np.ndarray, b: np.ndarray, carried: bool, scale: float
           ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``scale * W.T`` and ``scale * b`` as float32 (built in float64) for an input in plain
    form; for an input carried as ``s`` (``a = 2 s - 1``), the same for ``W.T a + b =
    2 W.T s + (b - W.T 1)``."""
    if carried:
        M, c = 2.0 * W.T, b - W.sum(axis=0)
    else:
        M, c = W.T, b
    return (scale * M).astype(np.float32), (scale * c).astype(np.float32)[:, None]


@dataclass(frozen=True)
class _Plan:
    """One network's layers as ``render`` runs them: per layer the float32 ``(M, c)`` of
    ``z = M @ a + c``, whether it is a carried tanh, and its unit mask."""

    layers: list[tuple[np.ndarray, np.ndarray, bool, np.ndarray | None]]
    output: tuple[np.ndarray, np.ndarray]
    activations: list[Any]


def _plan(network: Network) -> _Plan:
    """Build the layer matrices once for every pass of a render."""
    layers = []
    carried = False
    for (W, b), act, m in zip(network.params, network.activations, network.unit_masks,
                              strict=False):  # fmt: skip
        tanh = act.name == "tanh" and m is None
        M, c = _layer(W, b, carried, -2.0 if tanh else 1.0)
        mask = None if m is None else m.astype(np.float32)[:, None]
        layers.append((M, c, tanh, mask))
        carried = tanh
    return _Plan(layers, _layer(*network.params[-1], carried, 1.0), network.activations)


def _forward_rows(plan: _Plan, X: np.ndarray, keep_hidden: bool
                  ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
    """The network on the columns of ``X`` (F, N) (``_grid_rows``); returns the output
    pre-activation (K, N) and, with ``keep_hidden``, each hidden layer's activations
    (n_l, N).

    Points run along the last axis, so a neuron's values are one contiguous row: the bias
    is added along rows and each picture is a plain reshape. A tanh layer is computed as
    ``tanh(z) = 2 s - 1`` with ``s = 1 / (1 + exp(-2 z))`` and handed on as ``s``, the
    next layer's weights absorbing ``2 s - 1`` (``_layer``): three vectorised float32
    passes (exp, add, reciprocal) where ``np.tanh`` is scalar code on many CPUs. On the
    reference grid this took the render from 2.1-2.6 to 1.7-1.9 ms (medians, with the heap
    keeping freed memory as a worker does: ``benchmarks/frames.py``), within 1e-6 of the
    float64 network.
    """
    a = X
    hidden: list[np.ndarray] = []
    for (M, c, tanh, mask), act in zip(plan.layers, plan.activations, strict=False):
        z = M @ a
        z += c
        if tanh:
            with np.errstate(over="ignore"):  # exp -> inf gives s = 0: tanh = -1 exactly
                np.exp(z, out=z)
            z += 1.0
            np.reciprocal(z, out=z)
        else:
            z = act.forward(z)
            if mask is not None:
                z *= mask
        hidden.append(z)
        a = z
    M, c = plan.output
    out = M @ a
    out += c
    if not keep_hidden:
        return out, []
    forms = [tanh for _, _, tanh, _ in plan.layers]
    return out, [2.0 * h - 1.0 if s else h for h, s in zip(hidden, forms, strict=True)]


def render(
    network: Network,
    features: Sequence[str],
    resolution: int = 100,
    neuron_resolution: int | None = None,
) -> Rendering:
    """Evaluate ``network`` on the R x R grid (output) and the r x r grid (neurons, features).

    With ``neuron_resolution`` None or equal to ``resolution`` one pass gives everything.
    """
    R = _check_resolution("resolution", resolution)
    r = R if neuron_resolution is None else _check_resolution("neuron_resolution",
                                                              neuron_resolution)  # fmt: skip
    plan = _plan(network)
    z, hidden = _forward_rows(plan, _grid_rows(features, R), keep_hidden=r == R)
    out = network.loss_fn.output(z.T).astype(np.float32, copy=False)
    output: np.ndarray = (
        out.reshape(R, R)
        if out.shape[1] == 1
        else np.ascontiguousarray(out.T).reshape(out.shape[1], R, R)
    )
    if r != R:
        _, hidden = _forward_rows(plan, _grid_rows(features, r), keep_hidden=True)
    feature_grids = grid_features(features, r)[1]
    neurons = [h.reshape(len(h), r, r) for h in hidden]
    return Rendering(output, neurons, feature_grids, network.loss_fn.output_range)
