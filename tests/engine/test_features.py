"""Input features: registry, hand-computed values, column order, dtype and errors."""

import math
import re

import numpy as np
import pytest
from numpy.typing import DTypeLike

from playground.engine.features import FEATURES, feature_matrix

POINTS = np.array([[3.0, 4.0], [0.0, -2.0], [-1.0, 0.0]])

# Hand-computed rows for POINTS, one list per feature.
EXPECTED = {
    "x1": [3.0, 0.0, -1.0],
    "x2": [4.0, -2.0, 0.0],
    "x1_sq": [9.0, 0.0, 1.0],
    "x2_sq": [16.0, 4.0, 0.0],
    "x1x2": [12.0, 0.0, 0.0],
    "sin_x1": [math.sin(3.0), 0.0, -math.sin(1.0)],
    "sin_x2": [math.sin(4.0), -math.sin(2.0), 0.0],
    "r": [5.0, 2.0, 1.0],
    "theta": [math.atan(4.0 / 3.0), -math.pi / 2, math.pi],
}


def test_registry_order_and_labels() -> None:
    assert list(FEATURES) == list(EXPECTED)
    assert [f.label for f in FEATURES.values()] == [
        "X₁",
        "X₂",
        "X₁²",
        "X₂²",
        "X₁X₂",
        "sin(X₁)",
        "sin(X₂)",
        "r",
        "θ",
    ]
    assert all(name == f.name for name, f in FEATURES.items())


@pytest.mark.parametrize("name", list(EXPECTED))
def test_single_feature_matches_hand_computed_values(name: str) -> None:
    out = feature_matrix(POINTS, [name])
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out[:, 0], EXPECTED[name], rtol=1e-12, atol=1e-12)


def test_columns_follow_the_requested_order() -> None:
    names = ["theta", "x1", "r", "x2_sq"]
    out = feature_matrix(POINTS, names)
    assert out.shape == (3, 4)
    for j, name in enumerate(names):
        np.testing.assert_allclose(out[:, j], EXPECTED[name], atol=1e-12)


def test_all_features_on_a_grid_agree_with_direct_formulas() -> None:
    g = np.linspace(-6.0, 6.0, 7)
    pts = np.array([[a, b] for a in g for b in g])
    out = feature_matrix(pts, list(FEATURES))
    x1, x2 = pts[:, 0], pts[:, 1]
    np.testing.assert_allclose(out[:, 7], np.sqrt(x1**2 + x2**2))
    np.testing.assert_allclose(out[:, 8], np.arctan2(x2, x1))
    np.testing.assert_allclose(out[:, 4], x1 * x2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_dtype_is_honoured(dtype: DTypeLike) -> None:
    out = feature_matrix(POINTS, list(FEATURES), dtype=dtype)
    assert out.dtype == np.dtype(dtype)
    assert out.flags.c_contiguous
    reference = feature_matrix(POINTS, list(FEATURES))
    np.testing.assert_allclose(out, reference, rtol=1e-6, atol=1e-6)


def test_integer_points_are_accepted_and_input_is_not_modified() -> None:
    pts = np.array([[3, 4], [0, -2]])
    before = pts.copy()
    out = feature_matrix(pts, ["x1_sq", "r"])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [[9.0, 5.0], [0.0, 2.0]])
    np.testing.assert_array_equal(pts, before)


def test_empty_point_set_gives_empty_matrix() -> None:
    assert feature_matrix(np.empty((0, 2)), ["x1", "x2"]).shape == (0, 2)


ALLOWED = "x1, x2, x1_sq, x2_sq, x1x2, sin_x1, sin_x2, r, theta"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], f"features must name at least one of: {ALLOWED}"),
        (["x1", "x1_sq", "x1"], "feature 'x1' is listed twice"),
        (["x1", "x3"], f"unknown feature 'x3'; allowed: {ALLOWED}"),
        ("x1", "features must be a list of names"),
    ],
)
def test_bad_names_raise_value_error_naming_the_feature(names: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        feature_matrix(POINTS, names)


@pytest.mark.parametrize("shape", [(3,), (3, 3), (2, 1, 2)])
def test_points_must_be_n_by_2(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=re.escape(f"points must have shape (N, 2), got {shape}")):
        feature_matrix(np.zeros(shape), ["x1"])


def test_dtype_must_be_floating() -> None:
    with pytest.raises(ValueError, match="dtype must be a floating-point type, got int64"):
        feature_matrix(POINTS, ["x1"], dtype=np.int64)
