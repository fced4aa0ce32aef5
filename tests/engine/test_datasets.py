"""Datasets: conventions, shapes, determinism, noise, balance, custom points and splitting."""

import math
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
JITTERED = ["circle", "xor", "spiral", "moons", "checkerboard", "ring", "spiral_k"]


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
        assert np.all(np.abs(y) <= 1.0)
        assert np.all(np.isfinite(y))


@pytest.mark.parametrize("n", [20, 101, 1000])
@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classes_are_balanced(name: str, n: int) -> None:
    for k in (3, 4, 5):
        _, y = make(name, n=n, k=k)
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


@pytest.mark.parametrize("name", CLASSIFICATION)
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


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_noise_perturbs_targets_not_points(name: str) -> None:
    X0, y0 = make(name, noise=0)
    X30, y30 = make(name, noise=30)
    np.testing.assert_array_equal(X0, X30)
    delta = np.abs(y30 - y0)
    assert delta.max() <= 0.3 + 1e-12
    assert delta.mean() > 0.05


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
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))
    assert np.abs(X).min() >= 0.3


def test_gaussian_blobs_sit_at_plus_and_minus_two() -> None:
    X, y = make("gaussian", n=2000)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)


@pytest.mark.parametrize(("name", "k", "turns"), [("spiral", 2, 1.75), ("spiral_k", 4, 1.25)])
def test_spiral_points_lie_on_evenly_rotated_arms(name: str, k: int, turns: float) -> None:
    X, y = make(name, k=max(k, 3) if name == "spiral_k" else 3)
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
