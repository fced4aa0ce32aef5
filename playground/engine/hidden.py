"""The hidden-space view: the data and the input square's lattice, seen by one hidden layer.

Every hidden layer re-represents the data; this view draws that representation. The data
points and a lattice of the input square's grid lines are pushed through the network up
to the chosen layer. A layer of 1, 2 or 3 units is drawn in its own axes; a wider layer
by the top two principal components of its activations over the data (with the share of
variance they explain). Over the drawn plane the rest of the network is evaluated, so the
page can draw the output's decision line (or the softmax regions): at the last hidden
layer that line is straight, and the student sees the classes become linearly separable.
For a PCA view the plane passes through the data's mean; points off the plane are
projected onto it, so there the drawn line is an approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.features import feature_matrix
from playground.engine.network import Network
from playground.engine.render import BOUND

LATTICE_LINES = 11  # grid lines per direction (the input square's lattice)
LATTICE_SAMPLES = 41  # points per line
FIELD_RESOLUTION = 32  # output evaluated on this grid over the plane (16 for a 3D volume)
VOLUME_RESOLUTION = 16
PAD = 0.1  # the field's box extends the points' box by this share on each side


@dataclass(frozen=True)
class HiddenSpace:
    """What the hidden-space view draws (arrays are float64 unless said otherwise)."""

    layer: int
    width: int  # units of the layer
    method: str  # "axes" (the layer's own units) or "pca"
    points: np.ndarray  # (N, d) every data point (training first), d = 1, 2 or 3
    labels: np.ndarray  # (N,) the points' labels
    n_train: int
    lattice: np.ndarray  # (2 * LATTICE_LINES, LATTICE_SAMPLES, d): horizontal lines first
    components: np.ndarray | None  # (2, width) principal directions (PCA only)
    mean: np.ndarray | None  # (width,) centre of the PCA plane
    explained_variance: tuple[float, ...]  # share of variance per drawn PCA axis
    field_axes: tuple[np.ndarray, ...]  # the field grid's coordinates per drawn axis
    # output over the drawn space: (R, R) with field[j, i] at (axes[0][i], axes[1][j]), or
    # (R, R, R) with field[i, j, k] at (axes[0][i], axes[1][j], axes[2][k]); None in 1D.
    # Multiclass: the winning class's index (regions).
    field: np.ndarray | None
    threshold: float | None  # the decision level of ``field`` (None: regression / regions)


def lattice_points() -> np.ndarray:
    """The lattice's points (2 * L * S, 2): L horizontal then L vertical lines of S points."""
    v = np.linspace(-BOUND, BOUND, LATTICE_LINES)
    s = np.linspace(-BOUND, BOUND, LATTICE_SAMPLES)
    horizontal = np.stack(np.broadcast_arrays(s[None, :], v[:, None]), axis=-1)
    vertical = horizontal[..., ::-1]
    return np.concatenate([horizontal, vertical]).reshape(-1, 2)


def principal_axes(A: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, top-``k`` principal directions (rows) and explained-variance ratios of ``A``.

    Signs are fixed (each direction's largest entry is positive) so that the view does not
    flip between frames when the data barely changes.
    """
    mean = A.mean(axis=0)
    _, s, vt = np.linalg.svd(A - mean, full_matrices=False)
    comps = vt[:k].copy()
    big = np.argmax(np.abs(comps), axis=1)
    comps *= np.where(comps[np.arange(len(comps)), big] < 0, -1.0, 1.0)[:, None]
    var = s * s
    total = float(var.sum())
    ratios = var[:k] / total if total > 0 else np.zeros(min(k, len(var)))
    return mean, comps, ratios


def _box(coords: np.ndarray, n: int) -> list[np.ndarray]:
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    pad = np.maximum((hi - lo) * PAD, 1e-3)
    return [np.linspace(lo[i] - pad[i], hi[i] + pad[i], n) for i in range(coords.shape[1])]


def hidden_space(
    net: Network, features: tuple[str, ...], X: np.ndarray, y: np.ndarray, n_train: int,
    layer: int,
) -> HiddenSpace:  # fmt: skip
    """The hidden-space view of hidden layer ``layer`` (see the module docstring)."""
    hidden_sizes = net.layer_sizes[1:-1]
    if not hidden_sizes:
        raise ValueError("layer: this network has no hidden layer")
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(hidden_sizes):
        raise ValueError(f"layer must be in 0..{len(hidden_sizes) - 1}, got {layer!r}")
    forward, loss = net.forward, net.loss_fn
    width = hidden_sizes[layer]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        A = forward(feature_matrix(X, features))[1][layer]
        if not np.isfinite(A).all():
            raise ValueError("layer: its outputs overflowed (the run diverged); reset or rewind")
        L = forward(feature_matrix(lattice_points(), features))[1][layer]
        comps = mean = None
        explained: tuple[float, ...] = ()
        if width <= 3:
            method, P, Q = "axes", A, L
        else:
            mean, comps, ratios = principal_axes(A)
            explained = tuple(float(r) for r in ratios)
            method, P, Q = "pca", (A - mean) @ comps.T, (L - mean) @ comps.T
        d = P.shape[1]
        axes: list[np.ndarray] = []
        field = None
        if d >= 2 and np.isfinite(P).all():
            n = FIELD_RESOLUTION if d == 2 else VOLUME_RESOLUTION
            axes = _box(P, n)
            grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
            H = grid if comps is None else mean + grid @ comps
            out = loss.output(forward(H, start=layer + 1)[0])
            multi = out.shape[1] > 1
            values = np.argmax(out, axis=1).astype(np.float64) if multi else out[:, 0]
            field = values.reshape((n,) * d)
            if d == 2:  # rows follow the second axis, as in the boundary grids
                field = field.T
        threshold = None
        if loss.problem == "binary":
            lo, hi = loss.output_range
            threshold = (lo + hi) / 2
    lattice = Q.reshape(2 * LATTICE_LINES, LATTICE_SAMPLES, d)
    return HiddenSpace(layer, width, method, P, np.asarray(y), n_train, lattice, comps, mean,
                       explained, tuple(axes), field, threshold)  # fmt: skip
