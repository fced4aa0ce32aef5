"""Toy 2D datasets: the problems the playground trains on.

Every generator draws all of its randomness from the ``numpy.random.Generator`` it is
given, so a run's seed reproduces its data bit for bit and a shared link shows the same
points. The rest of the app relies on these conventions:

* ``X`` is float64 of shape (N, 2), every point inside ``[-6, 6]^2`` (clipped after noise);
* ``y`` is float64 in {0, 1} (binary), int64 in 0..K-1 (multiclass) or float64 in [-1, 1]
  (regression);
* class sizes differ by at most one, and rows are shuffled so that class order never
  leaks into mini-batches.

``noise`` is a percent (0..50). With ``f = noise / 100`` each generator scales its own
perturbation by ``f`` (described in its docstring). The random draws never depend on
``noise``, so the same seed at two noise levels gives the same underlying points, moved
by proportionally larger amounts: labels never change with noise, classes overlap instead.
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


def _square(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-_R, _R, size=(n, 2))


def _noisy_target(target: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(_jitter(target, noise / 100.0, rng), -1.0, 1.0)


# ---------------------------------------------------------------------- binary shapes


def _circle(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Class 1: disk r < 2.5; class 0: ring 3.5 < r < 5. Noise: jitter of +-4f per axis."""
    n0, n1 = _sizes(n, 2)
    outer = _polar(rng.uniform(0.7 * _R, _R, n0), rng.uniform(0, _TAU, n0))
    inner = _polar(rng.uniform(0, 0.5 * _R, n1), rng.uniform(0, _TAU, n1))
    amp = 4.0 * noise / 100.0
    return _labelled([_jitter(outer, amp, rng), _jitter(inner, amp, rng)], rng, np.float64)


def _xor(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Class 1 where x1*x2 > 0, class 0 elsewhere; a 0.3 margin keeps points off the axes.

    Noise: jitter of +-4f per axis.
    """
    parts = []
    for label, m in enumerate(_sizes(n, 2)):
        size = rng.uniform(0.3, _R, size=(m, 2))
        s1 = rng.choice([-1.0, 1.0], size=m)
        s2 = s1 if label == 1 else -s1
        parts.append(size * np.column_stack((s1, s2)))
    amp = 4.0 * noise / 100.0
    return _labelled([_jitter(p, amp, rng) for p in parts], rng, np.float64)


def _gaussian(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Class 1 around (2, 2), class 0 around (-2, -2). Noise: std grows 0.6 -> 2.1 (0.6 + 3f)."""
    std = 0.6 + 3.0 * noise / 100.0
    sizes = _sizes(n, 2)
    parts = [c + std * rng.standard_normal((m, 2)) for c, m in zip((-2.0, 2.0), sizes, strict=True)]
    return _labelled(parts, rng, np.float64)


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
    """Two interleaved arms of 1.75 turns, one per class. Noise: jitter of +-3f per axis."""
    return _swirl(n, noise, rng, arms=2, turns=1.75, amp=3.0)


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

# (x1, x2, sign): a 3x2 grid of bumps of alternating sign, like a smooth checkerboard.
_BUMPS = np.array(
    [
        [c, r, (-1.0) ** (i + j)]
        for i, c in enumerate((-3.5, 0.0, 3.5))
        for j, r in enumerate((-2.5, 2.5))
    ]
)
_BUMP_STD = 1.3


def _plane(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Points uniform in [-5, 5]^2, target (x1 + x2) / 10. Noise: target +-f, then clipped."""
    X = _square(n, rng)
    return X, _noisy_target((X[:, 0] + X[:, 1]) / (2 * _R), noise, rng)


def _multi_gaussian(n: int, noise: float, rng: np.random.Generator, k: int) -> XY:
    """Target is a sum of six unit Gaussian bumps (std 1.3) of alternating sign, clipped.

    Points uniform in [-5, 5]^2. Noise: target +-f, then clipped to [-1, 1].
    """
    X = _square(n, rng)
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    target = np.exp(-d2 / (2 * _BUMP_STD**2)) @ _BUMPS[:, 2]
    return X, _noisy_target(np.clip(target, -1.0, 1.0), noise, rng)


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
