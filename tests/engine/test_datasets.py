"""Datasets: conventions, shapes, determinism, noise, balance, custom points and splitting."""

import math
import random
import re
from typing import Any

import numpy as np
import pytest

from playground.engine.datasets import (
    DATASETS,
    make_dataset,
    split_dataset,
    validate_custom_points,
)

GENERATED = [name for name, spec in DATASETS.items() if spec.generate is not None]
CLASSIFICATION = [n for n in GENERATED if DATASETS[n].problem != "regression"]
REGRESSION = [n for n in GENERATED if DATASETS[n].problem == "regression"]
# Datasets whose noise is a positional jitter (the blobs widen their spread instead).
JITTERED = ["spiral", "moons", "checkerboard", "ring", "spiral_k"]
# TF Playground's label noise: the label / target is taken at a jittered copy of the point.
LABEL_NOISE = ["circle", "xor", "plane", "multi_gaussian"]
# Balanced to within one point at any noise (xor is uniform, circle's labels can flip).
BALANCED = [n for n in CLASSIFICATION if n not in ("xor", "circle")]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def make(name: str, n: int = 400, noise: float = 0.0, seed: int = 0, k: int = 3) -> Any:
    return make_dataset(name, n, noise, rng(seed), n_classes=k)


def loo_1nn_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out nearest-neighbour accuracy: near 1 when classes do not overlap."""
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    return float(np.mean(y[d2.argmin(axis=1)] == y))


# ------------------------------------------------------------------------- registry


def test_registry_order_problems_and_class_flags() -> None:
    assert list(DATASETS) == [
        "circle",
        "xor",
        "gaussian",
        "spiral",
        "moons",
        "checkerboard",
        "ring",
        "spiral_k",
        "blobs_k",
        "plane",
        "multi_gaussian",
        "custom",
    ]
    problems = {name: spec.problem for name, spec in DATASETS.items()}
    assert [n for n, p in problems.items() if p == "multiclass"] == ["spiral_k", "blobs_k"]
    assert [n for n, p in problems.items() if p == "regression"] == ["plane", "multi_gaussian"]
    assert [n for n, s in DATASETS.items() if s.uses_classes] == ["spiral_k", "blobs_k"]
    assert DATASETS["custom"].generate is None
    for name, spec in DATASETS.items():
        assert spec.name == name
        assert spec.description and "\n" not in spec.description


# ---------------------------------------------------------------------- conventions


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("noise", [0.0, 50.0])
@pytest.mark.parametrize("name", GENERATED)
def test_shapes_dtypes_range_and_labels(name: str, noise: float, k: int) -> None:
    n = 101  # odd, and not a multiple of 3 or 5: exercises uneven class sizes
    X, y = make(name, n=n, noise=noise, k=k)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,)
    assert np.all(np.abs(X) <= 6.0)
    problem = DATASETS[name].problem
    if problem == "binary":
        assert y.dtype == np.float64
        assert set(np.unique(y)) == {0.0, 1.0}
    elif problem == "multiclass":
        assert y.dtype == np.int64
        assert set(np.unique(y)) == set(range(k))
    else:
        assert y.dtype == np.float64
        assert np.all(np.abs(y) <= (1.8 if name == "plane" else 1.0))
        assert np.all(np.isfinite(y))


@pytest.mark.parametrize("n", [20, 101, 1000])
@pytest.mark.parametrize("name", BALANCED)
def test_classes_are_balanced(name: str, n: int) -> None:
    for k in (3, 4, 5):
        _, y = make(name, n=n, k=k, noise=30)
        classes = k if DATASETS[name].uses_classes else 2
        counts = np.bincount(y.astype(np.int64), minlength=classes)
        assert len(counts) == classes
        assert counts.sum() == n
        assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_rows_are_shuffled_so_classes_do_not_come_in_blocks(name: str) -> None:
    _, y = make(name, n=200, k=4)
    assert np.count_nonzero(np.diff(y)) > 50  # a sorted order would change label <= 4 times


def test_the_large_limits_work() -> None:
    X, y = make_dataset("spiral_k", 5000, 50, rng(), n_classes=5)
    assert X.shape == (5000, 2) and y.shape == (5000,)


# ---------------------------------------------------------------------- determinism


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_gives_bit_identical_arrays(name: str) -> None:
    X1, y1 = make(name, noise=20, seed=7)
    X2, y2 = make(name, noise=20, seed=7)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()


@pytest.mark.parametrize("name", GENERATED)
def test_different_seeds_give_different_points(name: str) -> None:
    X1, _ = make(name, noise=20, seed=1)
    X2, _ = make(name, noise=20, seed=2)
    assert not np.array_equal(X1, X2)


# ---------------------------------------------------------------------------- noise


def test_noise_free_circle_is_balanced() -> None:
    _, y = make("circle", n=101)
    assert abs(2 * y.sum() - 101) <= 1


@pytest.mark.parametrize("name", [n for n in CLASSIFICATION if n not in LABEL_NOISE])
def test_noise_moves_points_but_keeps_labels(name: str) -> None:
    X0, y0 = make(name, noise=0)
    X20, y20 = make(name, noise=20)
    X40, y40 = make(name, noise=40)
    np.testing.assert_array_equal(y0, y20)
    np.testing.assert_array_equal(y0, y40)
    move20 = np.linalg.norm(X20 - X0, axis=1).mean()
    move40 = np.linalg.norm(X40 - X0, axis=1).mean()
    assert 0.05 < move20 < move40


@pytest.mark.parametrize("name", JITTERED)
def test_jitter_is_proportional_to_noise(name: str) -> None:
    X0, _ = make(name, noise=0)
    X10, _ = make(name, noise=10)
    X20, _ = make(name, noise=20)
    inside = np.all(np.abs(X20) < 6.0, axis=1)  # clipping breaks proportionality
    np.testing.assert_allclose((X20 - X0)[inside], 2 * (X10 - X0)[inside], atol=1e-12)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_noise_free_classes_are_separated_and_full_noise_mixes_them(name: str) -> None:
    clean = loo_1nn_accuracy(*make(name, noise=0, k=4))
    noisy = loo_1nn_accuracy(*make(name, noise=50, k=4))
    # checkerboard tiles touch, so points on either side of a tile edge can be neighbours
    assert clean >= (0.9 if name == "checkerboard" else 0.98)
    assert noisy < clean - 0.05


@pytest.mark.parametrize("name", LABEL_NOISE)
def test_label_noise_keeps_points_and_changes_labels_or_targets(name: str) -> None:
    X0, y0 = make(name, noise=0)
    X30, y30 = make(name, noise=30)
    np.testing.assert_array_equal(X0, X30)
    delta = np.abs(y30 - y0)
    assert delta.mean() > 0.05
    if name == "plane":  # each axis's copy moves by at most 6 * 0.3
        assert delta.max() <= 2 * 6 * 0.3 / 10 + 1e-12


# ----------------------------------------------------------------- individual shapes


def polar(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])


def test_circle_is_a_disk_inside_a_ring() -> None:
    X, y = make("circle")
    r, _ = polar(X)
    assert r[y == 1].max() <= 2.5
    assert r[y == 0].min() >= 3.5 and r[y == 0].max() <= 5.0


def test_xor_label_is_the_sign_of_the_product_with_a_margin() -> None:
    X, y = make("xor")
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(float))
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3


def test_gaussian_blobs_sit_at_plus_and_minus_two() -> None:
    X, y = make("gaussian", n=2000)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)


def test_spiral_k_points_lie_on_evenly_rotated_arms() -> None:
    k, turns = 4, 1.25
    X, y = make("spiral_k", k=k)
    r, theta = polar(X)
    expected = 2 * np.pi * (turns * r / 5.0 + y / k)
    gap = np.angle(np.exp(1j * (theta - expected)))  # wrapped to (-pi, pi]
    assert np.abs(gap).max() < 1e-9
    assert r.max() <= 5.0


def test_moons_interleave_with_the_top_moon_as_class_zero() -> None:
    X, y = make("moons")
    top, bottom = X[y == 0], X[y == 1]
    assert top[:, 1].mean() > bottom[:, 1].mean()
    # each moon reaches under / over the other's centre: neither is linearly separable
    assert top[:, 0].max() > bottom[:, 0].min()
    assert top[:, 1].min() < bottom[:, 1].max()


def test_checkerboard_label_follows_tile_parity() -> None:
    X, y = make("checkerboard", n=1000)
    tiles = np.floor((X + 5.0) / 2.5).astype(int)
    assert tiles.min() >= 0 and tiles.max() <= 3
    np.testing.assert_array_equal(y, (tiles.sum(axis=1) % 2 == 0).astype(float))


def test_ring_has_a_gap_facing_plus_x1() -> None:
    X, y = make("ring", n=1000)
    r, theta = polar(X)
    assert r[y == 1].max() <= 2.0
    assert r[y == 0].min() >= 3.5
    assert np.abs(theta[y == 0]).min() >= np.pi / 4 - 1e-12


@pytest.mark.parametrize("k", [3, 4, 5])
def test_blobs_are_evenly_spaced_around_a_circle(k: int) -> None:
    X, y = make("blobs_k", n=3000, k=k)
    means = np.array([X[y == c].mean(axis=0) for c in range(k)])
    angles = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    np.testing.assert_allclose(
        means, 3.5 * np.column_stack((np.cos(angles), np.sin(angles))), atol=0.15
    )


def test_plane_target_is_linear_in_the_inputs() -> None:
    X, y = make("plane")
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, atol=1e-12)


def test_multi_gaussian_has_hills_and_valleys() -> None:
    _, y = make("multi_gaussian", n=2000)
    assert y.max() > 0.9 and y.min() < -0.9


# ------------------------------------------------------------------ custom points


def test_custom_binary_points_keep_order_and_map_minus_one_to_zero() -> None:
    rows = [[0.5, -1.0, 1], [6.0, -6.0, -1], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]
    X, y = make_dataset("custom", 7, 99.0, rng(), custom_points=rows, problem="binary")
    np.testing.assert_array_equal(X, [[0.5, -1.0], [6.0, -6.0], [0.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(y, [1.0, 0.0, 0.0, 1.0])
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_custom_multiclass_labels_become_int64() -> None:
    rows = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 4.0], [2.0, 2.0, 2.0]])
    X, y = validate_custom_points(rows, "multiclass", n_classes=5)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [0, 4, 2])
    assert X.shape == (3, 2)


def test_custom_regression_targets_are_kept_as_given() -> None:
    rows = [(1, 2, 0.25), (-3, 4, -7.5)]
    X, y = make_dataset("custom", 20, 0, rng(), custom_points=rows, problem="regression")
    np.testing.assert_array_equal(y, [0.25, -7.5])
    np.testing.assert_array_equal(X, [[1.0, 2.0], [-3.0, 4.0]])


def test_custom_does_not_alias_the_input_array() -> None:
    rows = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    X, y = validate_custom_points(rows, "regression")
    X[0, 0] = 5.0
    y[0] = 9.0
    assert rows[0, 0] == 0.0 and rows[0, 2] == 1.0


GOOD = [[0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [2.0, 2.0, 1.0], [3.0, 3.0, 0.0]]


def with_row3(row: Any) -> list[Any]:
    return [*GOOD[:3], row]


@pytest.mark.parametrize(
    ("rows", "problem", "message"),
    [
        (with_row3([7.5, 0.0, 1.0]), "binary", "custom_points row 3: x1 = 7.5 is outside [-6, 6]"),
        (
            with_row3([0.0, -6.5, 1.0]),
            "binary",
            "custom_points row 3: x2 = -6.5 is outside [-6, 6]",
        ),
        (with_row3([math.nan, 0.0, 1.0]), "binary", "custom_points row 3: x1 must be finite"),
        (with_row3([0.0, math.inf, 1.0]), "binary", "custom_points row 3: x2 must be finite"),
        (with_row3(["1", 0.0, 1.0]), "binary", "custom_points row 3: x1 must be a number"),
        (with_row3([0.0, 0.0, True]), "binary", "custom_points row 3: label must be a number"),
        (with_row3([0.0, 0.0]), "binary", "custom_points row 3: expected 3 values"),
        (with_row3("abc"), "binary", "custom_points row 3: expected 3 values"),
        (with_row3([0.0, 0.0, 0.5]), "binary", "custom_points row 3: label = 0.5 must be 0 or 1"),
        (with_row3([0.0, 0.0, 2]), "binary", "custom_points row 3: label = 2 must be 0 or 1"),
        (with_row3([0, 0, 1.5]), "multiclass", "row 3: label = 1.5 must be an integer from 0 to 2"),
        (with_row3([0, 0, 3]), "multiclass", "row 3: label = 3 must be an integer from 0 to 2"),
        (with_row3([0, 0, -1]), "multiclass", "row 3: label = -1 must be an integer from 0 to 2"),
        (with_row3([0, 0, math.nan]), "regression", "custom_points row 3: target must be finite"),
        (GOOD[:1], "binary", "custom_points must have between 2 and 5000 rows, got 1"),
        ([[0.0, 0.0, 1.0]] * 5001, "binary", "custom_points must have between 2 and 5000 rows"),
        ("0,0,1", "binary", "custom_points must be a list of (x1, x2, label) rows"),
        (GOOD, "ranking", "problem must be one of binary, multiclass, regression, got 'ranking'"),
    ],
)
def test_custom_point_errors_name_the_row(rows: Any, problem: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_custom_points(rows, problem)
    with pytest.raises(ValueError, match=re.escape(message)):
        make_dataset("custom", 20, 0, rng(), custom_points=rows, problem=problem)


def test_custom_needs_points_and_a_problem() -> None:
    with pytest.raises(ValueError, match="problem is required for dataset 'custom'"):
        make_dataset("custom", 20, 0, rng(), custom_points=GOOD)
    with pytest.raises(ValueError, match="custom_points is required for dataset 'custom'"):
        make_dataset("custom", 20, 0, rng(), problem="binary")


# ---------------------------------------------------------------- parameter errors


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_points": 7}, "n_points must be between 20 and 5000, got 7"),
        ({"n_points": 5001}, "n_points must be between 20 and 5000, got 5001"),
        ({"n_points": 20.5}, "n_points must be an integer between 20 and 5000, got 20.5"),
        ({"n_points": True}, "n_points must be an integer between 20 and 5000, got True"),
        ({"noise": -1}, "noise must be between 0 and 50, got -1"),
        ({"noise": 50.5}, "noise must be between 0 and 50, got 50.5"),
        ({"noise": math.nan}, "noise must be between 0 and 50, got nan"),
        ({"noise": "10"}, "noise must be a number between 0 and 50, got '10'"),
        ({"n_classes": 2}, "n_classes must be between 3 and 5, got 2"),
        ({"n_classes": 6}, "n_classes must be between 3 and 5, got 6"),
        ({"name": "donut"}, "dataset must be one of circle, xor, gaussian, spiral, moons"),
        ({"rng": 42}, "rng must be a numpy.random.Generator, got int"),
        ({"problem": "regression"}, "problem must be 'binary' for dataset 'circle'"),
        ({"problem": "ranking"}, "problem must be one of binary, multiclass, regression"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"name": "circle", "n_points": 100, "noise": 10, "rng": rng()}
    with pytest.raises(ValueError, match=re.escape(message)):
        make_dataset(**(args | kwargs))


def test_numpy_scalars_are_accepted_as_parameters() -> None:
    n: Any = np.int64(30)  # values straight from a NumPy array, e.g. a CSV column
    noise: Any = np.float32(5)
    k: Any = np.int64(4)
    X, y = make_dataset("blobs_k", n, noise, rng(), n_classes=k)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert X.shape == (30, 2)


# -------------------------------------------------------------------------- split


@pytest.mark.parametrize(("n", "fraction"), [(100, 0.5), (101, 0.7), (20, 0.1), (37, 0.9)])
def test_split_sizes_and_disjoint_cover(n: int, fraction: float) -> None:
    X = np.column_stack((np.arange(n, dtype=float), -np.arange(n, dtype=float)))
    y = np.arange(n) % 2
    X_tr, y_tr, X_te, y_te = split_dataset(X, y, fraction, rng())
    assert len(X_tr) == len(y_tr) == round(n * fraction)
    assert len(X_te) == len(y_te) == n - round(n * fraction)
    ids = np.concatenate((X_tr[:, 0], X_te[:, 0])).astype(int)
    assert sorted(ids) == list(range(n))  # disjoint and complete
    np.testing.assert_array_equal(y_tr, X_tr[:, 0].astype(int) % 2)  # rows stay paired
    np.testing.assert_array_equal(X_te[:, 1], -X_te[:, 0])


def test_split_shuffles_deterministically() -> None:
    X, y = make("gaussian", n=100)
    a = split_dataset(X, y, 0.5, rng(3))
    b = split_dataset(X, y, 0.5, rng(3))
    c = split_dataset(X, y, 0.5, rng(4))
    for left, right in zip(a, b, strict=True):
        assert left.tobytes() == right.tobytes()
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], X[:50])


@pytest.mark.parametrize("fraction", [0.1, 0.9])
def test_split_keeps_at_least_one_point_each_side(fraction: float) -> None:
    X_tr, _, X_te, _ = split_dataset(np.zeros((2, 2)), np.zeros(2), fraction, rng())
    assert len(X_tr) == 1 and len(X_te) == 1


@pytest.mark.parametrize(
    ("X", "y", "fraction", "message"),
    [
        (np.zeros((10, 2)), np.zeros(10), 0.05, "train_fraction must be between 0.1 and 0.9"),
        (np.zeros((10, 2)), np.zeros(10), 0.95, "train_fraction must be between 0.1 and 0.9"),
        (np.zeros((10, 2)), np.zeros(9), 0.5, "X and y must have the same number of rows"),
        (np.zeros((1, 2)), np.zeros(1), 0.5, "need at least 2 points to split"),
    ],
)
def test_split_errors(X: np.ndarray, y: np.ndarray, fraction: float, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        split_dataset(X, y, fraction, rng())


# ------------------------------------------- TF Playground reference (src/dataset.ts)
# A point-by-point transcription of TF Playground's generators with Python's own RNG,
# written from the published formulas (f = noise / 100). Our vectorised generators use a
# different random stream, so the two are compared through statistics, not point by point.


def tf_reference(name: str, n: int, f: float, seed: int = 99) -> tuple[np.ndarray, np.ndarray]:
    r = random.Random(seed)

    def uni(a: float, b: float) -> float:
        return r.random() * (b - a) + a

    pts: list[tuple[float, float, float]] = []
    if name == "circle":
        for lo, hi in ((0.0, 2.5), (3.5, 5.0)):
            for _ in range(n // 2):
                rad, angle = uni(lo, hi), uni(0, 2 * math.pi)
                x, y = rad * math.sin(angle), rad * math.cos(angle)
                nx, ny = uni(-5, 5) * f, uni(-5, 5) * f
                pts.append((x, y, 1.0 if math.hypot(x + nx, y + ny) < 2.5 else 0.0))
    elif name == "xor":
        for _ in range(n):
            x, y = uni(-5, 5), uni(-5, 5)
            x += 0.3 if x > 0 else -0.3
            y += 0.3 if y > 0 else -0.3
            nx, ny = uni(-5, 5) * f, uni(-5, 5) * f
            pts.append((x, y, 1.0 if (x + nx) * (y + ny) >= 0 else 0.0))
    elif name == "gaussian":
        variance = 0.5 + (4 - 0.5) * f / 0.5
        for c, label in ((2.0, 1.0), (-2.0, 0.0)):
            for _ in range(n // 2):
                x, y = r.gauss(c, math.sqrt(variance)), r.gauss(c, math.sqrt(variance))
                pts.append((x, y, label))
    elif name == "spiral":
        m = n // 2
        for dt, label in ((0.0, 1.0), (math.pi, 0.0)):
            for i in range(m):
                rad, t = i / m * 5, 1.75 * i / m * 2 * math.pi + dt
                x = rad * math.sin(t) + uni(-1, 1) * f
                y = rad * math.cos(t) + uni(-1, 1) * f
                pts.append((x, y, label))
    else:
        cones = [
            (-4, 2.5, 1),
            (0, 2.5, -1),
            (4, 2.5, 1),
            (-4, -2.5, -1),
            (0, -2.5, 1),
            (4, -2.5, -1),
        ]
        for _ in range(n):
            x, y = uni(-6, 6), uni(-6, 6)
            px, py = x + uni(-6, 6) * f, y + uni(-6, 6) * f
            if name == "plane":
                target = (px + py) / 10  # d3 scale [-10, 10] -> [-1, 1]
            else:
                target = 0.0
                for cx, cy, sign in cones:
                    value = sign * min(1.0, max(0.0, 1 - math.hypot(px - cx, py - cy) / 2))
                    if abs(value) > abs(target):
                        target = value
            pts.append((x, y, target))
    a = np.array(pts)
    return a[:, :2], a[:, 2]


TF_NAMES = ["circle", "xor", "gaussian", "spiral", "plane", "multi_gaussian"]


def stats(name: str, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    rad = np.hypot(X[:, 0], X[:, 1])
    out = {"positive": float(np.mean(y > 0)), "r_mean": float(rad.mean())}
    if name == "circle":
        inner = rad < 3.0  # the drawn disk (r < 2.5) as opposed to the ring (3.5..5)
        out["inner_positive"] = float(np.mean(y[inner] == 1))
        out["outer_negative"] = float(np.mean(y[~inner] == 0))
    if name == "xor":
        out["flipped"] = float(np.mean(y != (X[:, 0] * X[:, 1] >= 0)))
    if name in ("plane", "multi_gaussian"):
        out.update(y_mean=float(y.mean()), y_std=float(y.std()), y_abs_max=float(np.abs(y).max()))
        out["zero"] = float(np.mean(y == 0))
    if name == "gaussian":
        out["spread"] = float(X[y == 1].std())
    return out


@pytest.mark.parametrize("noise", [0, 10, 25, 50])
@pytest.mark.parametrize("name", TF_NAMES)
def test_statistics_match_tf_playground_reference(name: str, noise: int) -> None:
    n = 4000
    ours = stats(name, *make(name, n=n, noise=noise, seed=3))
    ref = stats(name, *tf_reference(name, n, noise / 100))
    for key, value in ref.items():
        # about 3.5 standard errors of the difference of two 4000-point samples (proportions
        # ~0.011, mean radius ~0.034); y_abs_max is an extreme, compared loosely
        tol = {"y_abs_max": 0.2, "r_mean": 0.12, "spread": 0.12, "y_std": 0.04}.get(key, 0.04)
        assert ours[key] == pytest.approx(value, abs=tol), (key, ours[key], value)


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_label_flip_rate_grows_with_noise_as_in_tf(name: str) -> None:
    """The share of labels that disagree with the noise-free rule rises from 0 with noise."""
    X0, y0 = make(name, n=4000, noise=0, seed=5)
    rates = [float(np.mean(make(name, n=4000, noise=p, seed=5)[1] != y0)) for p in (0, 10, 30, 50)]
    assert rates[0] == 0.0
    assert rates[1] < rates[2] < rates[3]
    Xr0, yr0 = tf_reference(name, 4000, 0.0, seed=5)
    ref = [
        float(np.mean(tf_reference(name, 4000, p / 100, seed=5)[1] != yr0)) for p in (10, 30, 50)
    ]
    np.testing.assert_allclose(rates[1:], ref, atol=0.03)


def test_tf_circle_radii_and_noise_free_labels() -> None:
    X, y = make("circle", n=2000)
    rad = np.hypot(X[:, 0], X[:, 1])
    assert rad[y == 1].max() < 2.5 and rad[y == 1].min() < 0.1
    assert rad[y == 0].min() >= 3.5 and rad[y == 0].max() <= 5.0
    # at full noise the points stay in the disk / ring, only labels change
    Xn, yn = make("circle", n=2000, noise=50)
    np.testing.assert_array_equal(X, Xn)
    assert 0.1 < np.mean(yn != y) < 0.5


def test_tf_spiral_winds_clockwise_with_evenly_spaced_radii() -> None:
    n = 400
    X, y = make("spiral", n=n)
    for label, dt in ((1.0, 0.0), (0.0, np.pi)):
        arm = X[y == label]
        rad = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(rad)
        np.testing.assert_allclose(rad[order], 5 * np.arange(n // 2) / (n // 2), atol=1e-12)
        # TF places a point at (r sin t, r cos t), t = 1.75 * 2pi * r / 5 + dt
        t = 1.75 * 2 * np.pi * rad / 5 + dt
        np.testing.assert_allclose(arm[:, 0], rad * np.sin(t), atol=1e-9)
        np.testing.assert_allclose(arm[:, 1], rad * np.cos(t), atol=1e-9)
        # clockwise: the polar angle falls as the radius grows
        phi = np.unwrap(np.arctan2(arm[order, 1], arm[order, 0])[1:])
        assert np.all(np.diff(phi) < 0)
    # the positive arm starts upward (t = 0 -> (0, r)), the negative one downward
    near = X[(np.hypot(X[:, 0], X[:, 1]) > 0.1) & (np.hypot(X[:, 0], X[:, 1]) < 0.3)]
    labels = y[(np.hypot(X[:, 0], X[:, 1]) > 0.1) & (np.hypot(X[:, 0], X[:, 1]) < 0.3)]
    assert np.all((near[:, 1] > 0) == (labels == 1))
    # 50 % noise moves a point by at most 0.5 per axis
    Xn, yn = make("spiral", n=n, noise=50)
    np.testing.assert_array_equal(y, yn)
    assert 0.45 < np.abs(Xn - X).max() <= 0.5


def test_tf_gaussian_variance_scale() -> None:
    for noise, variance in ((0, 0.5), (50, 4.0)):
        X, y = make("gaussian", n=4000, noise=noise)
        # the median absolute deviation ignores the few points clipped at the border
        mad = np.median(np.abs(X[y == 1] - 2.0), axis=0) * 1.4826
        assert mad**2 == pytest.approx([variance] * 2, rel=0.1)


def test_tf_plane_and_multi_gaussian_targets() -> None:
    X, y = make("plane", n=2000)
    assert np.abs(X).max() > 5.9 and np.abs(X).max() <= 6
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, atol=1e-12)
    assert np.abs(y).max() > 1.1
    X, y = make("multi_gaussian", n=4000)
    cones = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    expected = np.zeros(len(y))
    for cx, cy, sign in cones:
        value = sign * np.clip(1 - np.hypot(X[:, 0] - cx, X[:, 1] - cy) / 2, 0, 1)
        expected = np.where(np.abs(value) > np.abs(expected), value, expected)
    np.testing.assert_allclose(y, expected, atol=1e-12)
    assert y[np.hypot(X[:, 0] - 4, X[:, 1] - 2.5) < 1].min() > 0  # (4, 2.5) is a hill
    assert y[np.hypot(X[:, 0], X[:, 1] - 2.5) < 1].max() < 0  # (0, 2.5) a valley
