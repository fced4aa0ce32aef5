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


def _check_resolution(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not MIN_RESOLUTION <= value <= MAX_RESOLUTION:
        raise ValueError(f"{name} must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}")
    return int(value)


def _tanh_in_place(z: np.ndarray) -> np.ndarray:
    """tanh as ``1 - 2 / (exp(2z) + 1)``, in place: NumPy vectorises float32 ``exp`` where
    its ``tanh`` is scalar code on many CPUs, so this is ~1.6 x faster (measured on the
    reference grid) and within 2e-7 of ``np.tanh``; an overflowing exp gives exactly 1."""
    np.multiply(z, 2.0, out=z)
    with np.errstate(over="ignore"):
        np.exp(z, out=z)
    z += 1.0
    np.divide(-2.0, z, out=z)
    z += 1.0
    return z


def _forward32(
    network: Network, F: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    a = F
    hidden = []
    for (W, b), act, m in zip(params, network.activations, network.unit_masks, strict=False):
        z = a @ W
        z += b
        a = _tanh_in_place(z) if act.name == "tanh" else act.forward(z)
        if m is not None:
            a = a * m.astype(np.float32)
        hidden.append(a)
    W, b = params[-1]
    z = a @ W
    z += b
    return z, hidden


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
    params = [(W.astype(np.float32), b.astype(np.float32)) for W, b in network.params]
    F, _ = grid_features(features, R)
    z, hidden = _forward32(network, F, params)
    out = network.loss_fn.output(z).astype(np.float32, copy=False)
    if out.shape[1] == 1:
        output = out.reshape(R, R)
    else:
        output = np.ascontiguousarray(out.T.reshape(out.shape[1], R, R))
    if r != R:
        Fr, feature_grids = grid_features(features, r)
        _, hidden = _forward32(network, Fr, params)
    else:
        feature_grids = grid_features(features, R)[1]
    neurons = [np.ascontiguousarray(a.T.reshape(a.shape[1], r, r)) for a in hidden]
    return Rendering(output, neurons, feature_grids, network.loss_fn.output_range)
