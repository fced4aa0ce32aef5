"""The loss landscape around the current weights, and the path the run took to get there.

A 2D slice of the training objective (mean data loss on the training set + the
regularization penalty, the deterministic network: no dropout) at
``theta + a * d1 + b * d2`` for ``a, b`` in ``[-span, span]``, with two direction choices:

- ``"random"``: Gaussian directions, *filter-normalized* (Li et al., 2018, "Visualizing
  the Loss Landscape of Neural Nets"): in each weight layer every unit's incoming-weight
  vector (its "filter") of the direction is rescaled to the norm of that unit's weights,
  and bias directions are 0 (as Li et al. do), so span 1 means "as far as the weights
  themselves" in every unit alike.
- ``"trajectory"``: the top two principal directions of the run's own checkpoints,
  relative to the current weights (Li et al., section 7), each scaled so that the path's
  furthest checkpoint along it sits at 1: span 1 frames the path.

Checkpoints are projected onto the plane (least squares) and drawn as the path, ending at
the current weights (0, 0). All grid points are evaluated as one batched computation:
every layer is one stacked matrix product over all weight settings (in chunks that bound
memory), not a Python loop of forward passes. The batch runs in float32 (as the boundary
grids do: half the memory traffic, several times cheaper tanh/exp; about 7 significant
digits, plenty for a contour plot); the centre is the exact float64 objective.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from playground.engine.network import Network

DIRECTIONS = ("random", "trajectory")
MIN_RESOLUTION, MAX_RESOLUTION = 3, 51  # odd only: the centre is a grid point
MAX_SPAN = 10.0
SLICE_POINTS = 51
CHUNK_ELEMENTS = 1 << 22  # weight settings x examples x widest layer per batched chunk


@dataclass(frozen=True)
class Landscape:
    """A 2D slice of the objective: ``losses[j, i]`` at ``(alphas[i], betas[j])``."""

    directions: str
    alphas: np.ndarray  # (R,)
    betas: np.ndarray  # (R,)
    losses: np.ndarray  # (R, R), finite (an overflowing point shows the grid's maximum)
    center_loss: float  # the current objective (== losses[R // 2, R // 2])
    path: np.ndarray  # (m, 2) checkpoints' coordinates, oldest first, last = (0, 0)
    path_steps: tuple[int, ...]  # the step of each path point
    span: float


@dataclass(frozen=True)
class LossSlice:
    """The objective along the last update's direction: ``losses[i]`` at ``t[i]``."""

    t: np.ndarray
    losses: np.ndarray
    step_size: float  # ``t`` is in units of this (the direction's norm = the weights' norm)


def check_options(resolution: object, span: object, directions: object = "random") -> None:
    """ValueError naming the field for an invalid landscape option."""
    if directions not in DIRECTIONS:
        raise ValueError(f"directions must be one of {', '.join(DIRECTIONS)}, got {directions!r}")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int)
        or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION
        or resolution % 2 == 0
    ):
        raise ValueError(
            f"resolution must be an odd integer in {MIN_RESOLUTION}..{MAX_RESOLUTION}, "
            f"got {resolution!r}"
        )
    if isinstance(span, bool) or not isinstance(span, int | float) or not 0 < span <= MAX_SPAN:
        raise ValueError(f"span must be a number in (0, {MAX_SPAN:g}], got {span!r}")


def filter_normalized(net: Network, rng: np.random.Generator) -> np.ndarray:
    """A random direction (flat, like the parameters), filter-normalized as Li et al."""
    d = np.zeros_like(net.flat)
    at = 0
    for W, b in net.params:
        n_in, n_out = W.shape
        D = rng.standard_normal((n_in, n_out))
        norms = np.linalg.norm(D, axis=0)
        D *= np.linalg.norm(W, axis=0) / np.where(norms > 0, norms, 1.0)
        d[at : at + W.size] = D.ravel()
        at += W.size + b.size  # bias directions stay 0
    return d


def trajectory_directions(theta: np.ndarray, past: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top two principal directions of ``past - theta``, scaled to the path's extent."""
    M = past - theta
    M = M[np.linalg.norm(M, axis=1) > 0]
    if len(M) < 2:
        raise ValueError(
            "directions 'trajectory' needs at least two earlier checkpoints of this "
            "architecture (train longer, or use 'random')"
        )
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    if s[1] <= 1e-12 * s[0]:
        raise ValueError("directions 'trajectory' needs a path that is not a straight line")
    dirs = []
    for u in vt[:2]:
        extent = float(np.abs(M @ u).max())
        dirs.append(u * extent)
    return dirs[0], dirs[1]


Clock = Callable[[], float]


def objectives(
    net: Network,
    F: np.ndarray,
    T: np.ndarray,
    thetas: np.ndarray,
    dtype: type = np.float64,
    seconds: float | None = None,
    clock: Clock = time.perf_counter,
) -> np.ndarray:
    """The objective at each row of ``thetas`` (G, P), batched layer by layer in ``dtype``.

    With ``seconds``, the clock is read between chunks and a computation that runs past the
    budget raises ValueError (naming ``resolution``, the knob that shrinks the work).
    """  # fmt: skip
    widest = max(net.layer_sizes)
    chunk = max(1, CHUNK_ELEMENTS // (F.shape[0] * widest))
    out = np.empty(len(thetas))
    F = F.astype(dtype, copy=False)
    if T.dtype.kind == "f":
        T = T.astype(dtype, copy=False)
    began = clock()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for start in range(0, len(thetas), chunk):
            if seconds is not None and start and clock() - began > seconds:
                raise ValueError(
                    f"resolution {int(round(len(thetas) ** 0.5))}: this network and data need "
                    f"more than the {seconds:g} s allowed; lower the resolution"
                )
            block: np.ndarray = thetas[start : start + chunk].astype(dtype, copy=False)
            out[start : start + len(block)] = _data_losses(net, F, T, block)
        out += _penalties(net, thetas)
    return out


def _data_losses(net: Network, F: np.ndarray, T: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    G = len(thetas)
    sizes = net.layer_sizes
    a: np.ndarray = F  # (N, n_in), then (G, N, width)
    at = 0
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        W = thetas[:, at : at + n_in * n_out].reshape(G, n_in, n_out)
        at += n_in * n_out
        b = thetas[:, at : at + n_out]
        at += n_out
        z = np.matmul(a, W)
        z += b[:, None, :]
        if k < len(sizes) - 2:
            a = net.activations[k].forward(z)
            m = net.unit_masks[k]
            if m is not None:
                a *= m.astype(a.dtype)
        else:
            a = z
    return net.loss_fn.per_example(a, T).mean(axis=-1)


def _penalties(net: Network, thetas: np.ndarray) -> np.ndarray:
    rate = net.regularization_rate
    if net.regularization == "none" or rate == 0.0:
        return np.zeros(len(thetas))
    w = thetas * net.weight_mask
    if net.regularization == "l2":
        return 0.5 * rate * np.einsum("gp,gp->g", w, w)
    return rate * np.abs(w).sum(axis=1)


def _finite(values: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values)
    if ok.all():
        return values
    top = float(values[ok].max()) if ok.any() else 0.0
    return np.where(ok, values, top)


def landscape(
    net: Network, F: np.ndarray, T: np.ndarray, *, directions: str, resolution: int,
    span: float, seed: int, past: Sequence[tuple[int, np.ndarray]], step: int,
    seconds: float | None = None, clock: Clock = time.perf_counter,
) -> Landscape:  # fmt: skip
    """The 2D slice (see the module docstring); ``past`` = (step, params) checkpoints."""
    check_options(resolution, span, directions)
    theta = net.flat.copy()
    earlier = [(s, p) for s, p in past if p.shape == theta.shape and s < step]
    if directions == "random":
        rng = np.random.default_rng([seed, 17])
        d1, d2 = filter_normalized(net, rng), filter_normalized(net, rng)
    else:
        stack = np.array([p for _, p in earlier]).reshape(-1, theta.size)
        d1, d2 = trajectory_directions(theta, stack)
    coords = np.linspace(-span, span, resolution)
    coords[resolution // 2] = 0.0
    A, B = np.meshgrid(coords, coords)  # A varies along columns, B along rows
    thetas = theta + A.reshape(-1, 1) * d1 + B.reshape(-1, 1) * d2
    values = objectives(net, F, T, thetas, np.float32, seconds, clock)
    middle = (resolution * resolution) // 2
    values[middle] = objectives(net, F, T, theta[None, :])[0]  # exact, in float64
    losses = _finite(values).reshape(resolution, resolution)
    basis = np.stack([d1, d2], axis=1)
    if earlier:
        diffs = np.array([p - theta for _, p in earlier])
        xy = np.linalg.lstsq(basis, diffs.T, rcond=None)[0].T
        path = np.vstack([xy, [[0.0, 0.0]]])
    else:
        path = np.zeros((1, 2))
    steps = (*(s for s, _ in earlier), step)
    center = float(losses[resolution // 2, resolution // 2])
    return Landscape(directions, coords, coords.copy(), losses, center, path, steps, float(span))


def loss_slice(
    net: Network, F: np.ndarray, T: np.ndarray, direction: np.ndarray, *,
    points: int = SLICE_POINTS, span: float = 1.0,
) -> LossSlice:  # fmt: skip
    """The objective along ``direction`` (rescaled to the weights' norm), ``t`` in [-span, span]."""
    check_options(points, span)
    theta = net.flat.copy()
    norm = float(np.linalg.norm(direction))
    scale = float(np.linalg.norm(theta * net.weight_mask)) or 1.0
    u = direction * (scale / norm) if norm > 0 else np.zeros_like(theta)
    t = np.linspace(-span, span, points)
    t[points // 2] = 0.0
    values = objectives(net, F, T, theta + t[:, None] * u)
    values[points // 2] = objectives(net, F, T, theta[None, :])[0]
    return LossSlice(t, _finite(values), scale)
