"""Toy 2D datasets: the problems the playground trains on.

Every generator draws all of its randomness from the ``numpy.random.Generator`` it is
given, so a run's seed reproduces its data bit for bit and a shared link shows the same
points. The rest of the app relies on these conventions:

* ``X`` is float64 of shape (N, 2), every point inside ``[-6, 6]^2`` (clipped after noise);
* ``y`` is float64 in {0, 1} (binary), int64 in 0..K-1 (multiclass) or float64 (regression:
  ``plane`` spans +-1.8 at most, ``multi_gaussian`` [-1, 1]);
* class sizes differ by at most one (except ``xor``, uniform points, and ``circle`` with
  noise, whose labels noise can flip), and rows are shuffled so that class order never
  leaks into mini-batches.

``noise`` is a percent (0..50); each generator uses ``f = noise / 100``. The six datasets
named after TensorFlow Playground's (circle, xor, gaussian, spiral, plane, multi_gaussian)
follow its ``dataset.ts`` formulas exactly, with our own seeded RNG:

* circle, xor, plane, multi_gaussian: the label / target is computed at a jittered *copy*
  of the point (``p + U(-a, a)^2 * f``, a = 5 or 6); points never move, labels flip;
* spiral: points move by ``U(-1, 1)^2 * f``; gaussian: the variance grows 0.5 -> 4.

Our own datasets (moons, checkerboard, ring, spiral_k, blobs_k) move points by a jitter
proportional to ``f`` (or widen the blobs) and never change labels. The random draws never
depend on ``noise``, so the same seed at two noise levels gives the same underlying points.
The README's dataset table lists every formula; the generators' docstrings are the source.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

__all__ = [
    "BOUND",
    "TARGET_BOUND",
    "DATASETS",
    "N_CLASSES_RANGE",
    "N_POINTS_RANGE",
    "NOISE_RANGE",
    "PROBLEMS",
    "TRAIN_FRACTION_RANGE",
    "DatasetSpec",
    "Problem",
    "make_dataset",
    "split_dataset",
    "validate_custom_points",
]

Problem = Literal["binary", "multiclass", "regression"]
PROBLEMS: tuple[Problem, ...] = get_args(Problem)
XY = tuple[np.ndarray, np.ndarray]
Generate = Callable[[int, float, np.random.Generator, int], XY]

BOUND = 6.0  # every point lies in [-BOUND, BOUND]^2, the square the UI draws
#: |target| of a custom regression point: its square, the loss, stays far inside float64,
#: and labels travel as float32 in frames (1e39 would arrive as infinity)
TARGET_BOUND = 1e6
N_POINTS_RANGE = (20, 5000)
NOISE_RANGE = (0.0, 50.0)
N_CLASSES_RANGE = (3, 5)
TRAIN_FRACTION_RANGE = (0.1, 0.9)

_R = 5.0  # generated data fills the disk / square of this radius, leaving a margin
_TAU = 2.0 * np.pi


@dataclass(frozen=True)
class DatasetSpec:
    """One entry of the dataset menu; ``generate`` is None for user-supplied points."""

    name: str
    problem: Problem
    description: str
    uses_classes: bool
    generate: Generate | None


# ---------------------------------------------------------------------------- helpers


def _sizes(n: int, k: int) -> list[int]:
    """Balanced class sizes: they differ by at most one and sum to ``n``."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _polar(r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.column_stack((r * np.cos(theta), r * np.sin(theta)))


def _jitter(points: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Add uniform noise in [-amplitude, amplitude]; draws the same numbers at any amplitude."""
    return points + amplitude * rng.uniform(-1.0, 1.0, size=points.shape)


def _labelled(parts: list[np.ndarray], rng: np.random.Generator, dtype: type) -> XY:
    """Stack one point array per class (class i = parts[i]), clip, and shuffle rows."""
    X = np.clip(np.concatenate(parts), -BOUND, BOUND)
    y = np.concatenate([np.full(len(p), i, dtype=dtype) for i, p in enumerate(parts)])
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---------------------------------------------------------------------- binary shapes


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> XY:
    """Clip to the drawn square and shuffle rows (TF Playground shuffles its data, too)."""
    order = rng.permutation(len(y))
    return np.clip(X, -BOUND, BOUND)[order], y[order]


def _tf_offsets(n: int, f: float, half: float, rng: np.random.Generator) -> np.ndarray:
    """TF Playground's label noise: ``U(-half, half) * f`` per axis, added to a *copy*.

    The copy only decides the label (or target); the point itself never moves. The draws
    are made at every noise level, so a seed gives the same points at any noise.
    """
    return f * rng.uniform(-half, half, size=(n, 2))


def _circle(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's circle (``classifyCircleData``), with f = noise / 100.

    Half the points (class 1) have radius ~ U(0, 2.5), half (class 0) radius ~ U(3.5, 5),
    angle ~ U(0, 2pi). The label is 1 iff ``|p + e| < 2.5`` with ``e ~ U(-5, 5)^2 * f``:
    noise flips labels near the boundary, the points stay where they are.
    """
    n0, n1 = _sizes(n, 2)
    r = np.concatenate((rng.uniform(0.0, 2.5, n1), rng.uniform(3.5, 5.0, n0)))
    angle = rng.uniform(0.0, _TAU, n)
    X = np.column_stack((r * np.sin(angle), r * np.cos(angle)))
    seen = X + _tf_offsets(n, noise / 100.0, 5.0, rng)
    y = (np.hypot(seen[:, 0], seen[:, 1]) < 2.5).astype(np.float64)
    return _shuffled(X, y, rng)


def _xor(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's XOR (``classifyXORData``), with f = noise / 100.

    Each coordinate is ``u ~ U(-5, 5)`` pushed 0.3 away from zero (``u + 0.3 sign(u)``), so
    points fill [-5.3, 5.3]^2 outside a cross of half-width 0.3. The label is 1 iff
    ``(x1 + e1)(x2 + e2) >= 0`` with ``e ~ U(-5, 5)^2 * f``: noise flips labels, never
    moves points. Classes are balanced only on average (points are uniform).
    """
    u = rng.uniform(-5.0, 5.0, size=(n, 2))
    X = u + np.where(u > 0, 0.3, -0.3)
    seen = X + _tf_offsets(n, noise / 100.0, 5.0, rng)
    y = (seen[:, 0] * seen[:, 1] >= 0).astype(np.float64)
    return _shuffled(X, y, rng)


def _gaussian(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's two Gaussians (``classifyTwoGaussData``), with f = noise / 100.

    Class 1 around (2, 2), class 0 around (-2, -2); per-axis *variance* 0.5 + 7f (0.5 at 0 %
    to 4 at 50 %, so std 0.71 to 2). Points beyond the drawn square [-6, 6]^2 are clipped to
    it (TF leaves them off-screen); at 50 % noise that touches about 2 % of the points.
    """
    std = math.sqrt(0.5 + 7.0 * noise / 100.0)
    n0, n1 = _sizes(n, 2)
    X = np.concatenate(
        (2.0 + std * rng.standard_normal((n1, 2)), -2.0 + std * rng.standard_normal((n0, 2)))
    )
    y = np.concatenate((np.ones(n1), np.zeros(n0)))
    return _shuffled(X, y, rng)


def _swirl(
    n: int, noise: float, rng: np.random.Generator, arms: int, turns: float, amp: float
) -> XY:
    """``arms`` interleaved spiral arms, radius 0..5 over ``turns`` turns; jitter +-amp*f."""
    parts = []
    for arm, m in enumerate(_sizes(n, arms)):
        u = rng.uniform(0.0, 1.0, m)
        theta = _TAU * (turns * u + arm / arms)
        parts.append(_jitter(_polar(_R * u, theta), amp * noise / 100.0, rng))
    return _labelled(parts, rng, np.float64 if arms == 2 else np.int64)


def _spiral(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's spiral (``classifySpiralData``), with f = noise / 100.

    Each class has m points i = 0..m-1 at evenly spaced radius ``r = 5 i / m`` and
    ``t = 1.75 * 2pi * i / m + dt`` (dt = 0 for class 1, pi for class 0), placed at
    ``(r sin t, r cos t) + U(-1, 1)^2 * f``: the arms wind clockwise outwards, 1.75 turns,
    and noise moves points by at most 0.5 per axis at 50 %. Labels never change.
    """
    n0, n1 = _sizes(n, 2)
    parts = []
    for m, dt in ((n1, 0.0), (n0, np.pi)):
        i = np.arange(m) / m
        t = 1.75 * _TAU * i + dt
        parts.append(np.column_stack((5.0 * i * np.sin(t), 5.0 * i * np.cos(t))))
    X = np.concatenate(parts) + noise / 100.0 * rng.uniform(-1.0, 1.0, size=(n, 2))
    y = np.concatenate((np.ones(n1), np.zeros(n0)))
    return _shuffled(X, y, rng)


def _moons(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Two interleaving half circles (radius 3), class 0 on top. Noise: jitter of +-3f."""
    n0, n1 = _sizes(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    top = np.column_stack((np.cos(t0), np.sin(t0)))
    bottom = np.column_stack((1.0 - np.cos(t1), 0.5 - np.sin(t1)))
    centre = np.array([0.5, 0.25])
    amp = 3.0 * noise / 100.0
    parts = [_jitter(3.0 * (p - centre), amp, rng) for p in (top, bottom)]
    return _labelled(parts, rng, np.float64)


def _checkerboard(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """4x4 tiles of side 2.5 over [-5, 5]^2; class 1 where the tile indices sum to even.

    Points are uniform within a uniformly chosen tile of their class. Noise: jitter +-2f.
    """
    side = 2 * _R / 4
    parts = []
    for label, m in enumerate(_sizes(n, 2)):
        i = rng.integers(0, 4, m)
        j = 2 * rng.integers(0, 2, m) + (i + 1 - label) % 2  # parity of i + j is 1 - label
        corner = -_R + side * np.column_stack((i, j))
        points = corner + side * rng.uniform(0.0, 1.0, (m, 2))
        parts.append(_jitter(points, 2.0 * noise / 100.0, rng))
    return _labelled(parts, rng, np.float64)


def _ring(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Class 1: disk r < 2; class 0: ring 3.5 < r < 5 with a 90-degree gap facing +x1.

    Unlike ``circle`` the data never pins the boundary on the gap side, so runs show how a
    network extrapolates where it has no points. Noise: jitter of +-4f per axis.
    """
    n0, n1 = _sizes(n, 2)
    ring = _polar(rng.uniform(3.5, _R, n0), rng.uniform(np.pi / 4, _TAU - np.pi / 4, n0))
    disk = _polar(rng.uniform(0, 2.0, n1), rng.uniform(0, _TAU, n1))
    amp = 4.0 * noise / 100.0
    return _labelled([_jitter(ring, amp, rng), _jitter(disk, amp, rng)], rng, np.float64)


# ------------------------------------------------------------------ multiclass shapes


def _spiral_k(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """K arms of 1.25 turns, arm i is class i. Noise: jitter of +-2f per axis."""
    return _swirl(n, noise, rng, arms=k, turns=1.25, amp=2.0)


def _blobs_k(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """K Gaussian blobs evenly spaced on the circle r = 3.5, class 0 at the top.

    Noise: std grows 0.6 -> 1.8 (0.6 + 2.4f).
    """
    std = 0.6 + 2.4 * noise / 100.0
    angles = np.pi / 2 + _TAU * np.arange(k) / k
    centres = _polar(np.full(k, 3.5), angles)
    parts = [centres[i] + std * rng.standard_normal((m, 2)) for i, m in enumerate(_sizes(n, k))]
    return _labelled(parts, rng, np.int64)


# ------------------------------------------------------------------ regression shapes

# (x1, x2, sign): TF Playground's six cones, alternating sign on a 3x2 grid.
_CONES = np.array(
    [[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
     [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]]
)  # fmt: skip


def _tf_regression_inputs(n: int, noise: float, rng: np.random.Generator) -> XY:
    """Points uniform in [-6, 6]^2 and the jittered copy ``p + U(-6, 6)^2 * f`` the target sees."""
    X = rng.uniform(-6.0, 6.0, size=(n, 2))
    return X, X + _tf_offsets(n, noise / 100.0, 6.0, rng)


def _plane(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's plane (``regressPlane``), with f = noise / 100.

    Points uniform in [-6, 6]^2; target ``(x1' + x2') / 10`` of the jittered copy
    ``p' = p + U(-6, 6)^2 * f``. The target spans +-1.2 at 0 % and up to +-1.8 at 50 %;
    noise changes targets only, never points.
    """
    X, seen = _tf_regression_inputs(n, noise, rng)
    return X, (seen[:, 0] + seen[:, 1]) / 10.0


def _multi_gaussian(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """TF Playground's multi Gaussian (``regressGaussian``), with f = noise / 100.

    Six cones of radius 2 at (-4, 2.5)+, (0, 2.5)-, (4, 2.5)+, (-4, -2.5)-, (0, -2.5)+,
    (4, -2.5)-; the target is the cone value ``sign * max(0, 1 - d / 2)`` largest in
    magnitude, taken at the jittered copy ``p + U(-6, 6)^2 * f`` of a point uniform in
    [-6, 6]^2. Targets lie in [-1, 1] (0 between cones); noise never moves points.
    """
    X, seen = _tf_regression_inputs(n, noise, rng)
    d = np.hypot(seen[:, None, 0] - _CONES[:, 0], seen[:, None, 1] - _CONES[:, 1])
    values = _CONES[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    pick = np.abs(values).argmax(axis=1)  # the first of equal magnitudes, as TF
    return X, values[np.arange(n), pick]


# ------------------------------------------------------------------------- registry

# (name, problem, uses_classes, generate, description); insertion order is the UI order.
# ``custom`` gets its problem from the caller; "binary" is only the default shown first.
_TABLE: tuple[tuple[str, Problem, bool, Generate | None, str], ...] = (
    ("circle", "binary", False, _circle, "A disk of one class inside a ring of the other."),
    ("xor", "binary", False, _xor, "Opposite corners share a class, as in XOR."),
    ("gaussian", "binary", False, _gaussian, "Two round clouds of points, one per class."),
    ("spiral", "binary", False, _spiral, "Two spiral arms wound around each other."),
    ("moons", "binary", False, _moons, "Two interlocking half moons."),
    ("checkerboard", "binary", False, _checkerboard, "A 4 by 4 board of alternating squares."),
    ("ring", "binary", False, _ring, "A disk inside a ring that has a gap on one side."),
    ("spiral_k", "multiclass", True, _spiral_k, "One spiral arm per class, wound together."),
    ("blobs_k", "multiclass", True, _blobs_k, "One round cloud per class, around a circle."),
    ("plane", "regression", False, _plane, "A tilted plane: the target rises corner to corner."),
    ("multi_gaussian", "regression", False, _multi_gaussian, "Hills and valleys: signed bumps."),
    ("custom", "binary", False, None, "Your own points: click to add them or upload a CSV."),
)
DATASETS: dict[str, DatasetSpec] = {
    name: DatasetSpec(name, problem, description, uses_classes, generate)
    for name, problem, uses_classes, generate, description in _TABLE
}


# ----------------------------------------------------------------------- validation


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer between {lo} and {hi}, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi}, got {value}")
    return int(value)


def _check_real(name: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number between {lo:g} and {hi:g}, got {value!r}")
    number = float(value)
    if not lo <= number <= hi:  # the chained comparison is False for NaN, too
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {value}")
    return number


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")


def _check_problem(problem: object) -> Problem:
    for known in PROBLEMS:
        if problem == known:
            return known
    raise ValueError(f"problem must be one of {', '.join(PROBLEMS)}, got {problem!r}")


# ---------------------------------------------------------------------- public API

CUSTOM_ROWS_RANGE = (2, 5000)


def _custom_row(i: int, row: object, problem: Problem, k: int) -> tuple[float, float, float]:
    where = f"custom_points row {i}"
    if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray) or len(row) != 3:
        raise ValueError(f"{where}: expected 3 values (x1, x2, label), got {row!r}")
    third = "target" if problem == "regression" else "label"
    values = []
    for field, value in zip(("x1", "x2", third), row, strict=True):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{where}: {field} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{where}: {field} must be finite, got {value}")
        values.append(float(value))
    x1, x2, t = values
    for field, coord in (("x1", x1), ("x2", x2)):
        if abs(coord) > BOUND:
            raise ValueError(f"{where}: {field} = {coord:g} is outside [-{BOUND:g}, {BOUND:g}]")
    if problem == "regression" and abs(t) > TARGET_BOUND:
        raise ValueError(
            f"{where}: target = {t:g} is outside [-{TARGET_BOUND:g}, {TARGET_BOUND:g}]"
        )
    if problem == "binary":
        if t not in (-1.0, 0.0, 1.0):
            raise ValueError(f"{where}: label = {t:g} must be 0 or 1 (or -1 / +1)")
        t = 1.0 if t == 1.0 else 0.0
    elif problem == "multiclass" and not (t.is_integer() and 0 <= t < k):
        raise ValueError(f"{where}: label = {t:g} must be an integer from 0 to {k - 1}")
    return x1, x2, t


def validate_custom_points(
    rows: Sequence[Sequence[float]] | np.ndarray, problem: Problem, n_classes: int = 3
) -> XY:
    """Check user-supplied ``(x1, x2, label_or_target)`` rows and return ``(X, y)``.

    The custom dataset, click-to-add points and CSV upload all come through here, so they
    report identical errors. Rows are numbered from 0 (their index in ``rows``) and keep
    their order. Binary labels are 0/1, or -1/+1 mapped to 0/1; multiclass labels are
    integers 0..n_classes-1 (``2.0`` counts as 2); regression targets may be any finite
    number and are not rescaled.
    """
    kind = _check_problem(problem)
    k = _check_int("n_classes", n_classes, *N_CLASSES_RANGE)
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence | np.ndarray):
        raise ValueError(f"custom_points must be a list of (x1, x2, label) rows, got {rows!r}")
    lo, hi = CUSTOM_ROWS_RANGE
    if not lo <= len(rows) <= hi:
        raise ValueError(f"custom_points must have between {lo} and {hi} rows, got {len(rows)}")
    data = np.array([_custom_row(i, row, kind, k) for i, row in enumerate(rows)])
    y = data[:, 2].astype(np.int64) if kind == "multiclass" else data[:, 2].copy()
    return np.ascontiguousarray(data[:, :2]), y


def make_dataset(
    name: str,
    n_points: int,
    noise: float,
    rng: np.random.Generator,
    n_classes: int = 3,
    custom_points: Sequence[Sequence[float]] | None = None,
    problem: Problem | None = None,
) -> XY:
    """Build the named dataset; the single entry point for the trainer, API and CLI.

    ``n_points`` (20..5000) and ``noise`` (percent, 0..50) are validated and used by the
    generated datasets and ignored for ``custom``, which takes ``custom_points`` and
    ``problem`` instead. ``n_classes`` (3..5) matters for ``spiral_k``, ``blobs_k`` and
    multiclass custom points. For a generated dataset ``problem`` may be omitted; if given
    it must match. ``custom_points`` is ignored unless ``name`` is ``custom``.
    """
    spec = DATASETS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    _check_rng(rng)
    k = _check_int("n_classes", n_classes, *N_CLASSES_RANGE)
    if spec.generate is None:
        if problem is None:
            raise ValueError(
                f"problem is required for dataset {name!r} (one of {', '.join(PROBLEMS)})"
            )
        if custom_points is None:
            raise ValueError(f"custom_points is required for dataset {name!r}")
        return validate_custom_points(custom_points, problem, k)
    if problem is not None and _check_problem(problem) != spec.problem:
        raise ValueError(f"problem must be {spec.problem!r} for dataset {name!r}, got {problem!r}")
    n = _check_int("n_points", n_points, *N_POINTS_RANGE)
    percent = _check_real("noise", noise, *NOISE_RANGE)
    return spec.generate(n, percent, rng, k)


def split_dataset(
    X: np.ndarray, y: np.ndarray, train_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then put the first ``round(N * train_fraction)`` rows in the training set.

    ``train_fraction`` is 0.1..0.9; each side keeps at least one point so that both the
    training and the test loss are always defined.
    """
    fraction = _check_real("train_fraction", train_fraction, *TRAIN_FRACTION_RANGE)
    _check_rng(rng)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {len(y)}")
    if n < 2:
        raise ValueError(f"need at least 2 points to split into train and test, got {n}")
    n_train = min(max(round(n * fraction), 1), n - 1)
    order = rng.permutation(n)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]
