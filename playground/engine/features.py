"""Input features: what the network sees of each 2D point.

As in TensorFlow's playground the user picks which of these columns feed the first layer;
giving a network ``x1_sq`` and ``x2_sq`` lets a single neuron draw a circle, which is a
lesson in itself. Values are deliberately left unscaled (as in the original), so the
effect of feature scale on training stays visible.

``feature_matrix`` runs on the whole 100x100 render grid every frame, so it writes each
column straight into one preallocated array in the requested dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["FEATURES", "Feature", "feature_matrix"]


@dataclass(frozen=True)
class Feature:
    """One input column: ``fn(x1, x2)`` maps coordinate arrays to values, elementwise."""

    name: str
    label: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _x1(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1


def _x2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x2


def _x1_sq(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1 * x1


def _x2_sq(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x2 * x2


def _x1x2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1 * x2


def _sin_x1(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.sin(x1)


def _sin_x2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.sin(x2)


def _r(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Distance from the origin: makes ring-shaped classes linearly separable."""
    return np.hypot(x1, x2)


def _theta(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Angle in (-pi, pi], measured from the +x1 axis; helps with spirals."""
    return np.arctan2(x2, x1)


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "X₁", _x1),
        Feature("x2", "X₂", _x2),
        Feature("x1_sq", "X₁²", _x1_sq),
        Feature("x2_sq", "X₂²", _x2_sq),
        Feature("x1x2", "X₁X₂", _x1x2),
        Feature("sin_x1", "sin(X₁)", _sin_x1),
        Feature("sin_x2", "sin(X₂)", _sin_x2),
        Feature("r", "r", _r),
        Feature("theta", "θ", _theta),
    )
}


def _check_names(names: Sequence[str]) -> None:
    allowed = ", ".join(FEATURES)
    if isinstance(names, str):
        raise ValueError(f"features must be a list of names ({allowed}), got the string {names!r}")
    if len(names) == 0:
        raise ValueError(f"features must name at least one of: {allowed}")
    seen: set[str] = set()
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; allowed: {allowed}")
        if name in seen:
            raise ValueError(f"feature {name!r} is listed twice; each may appear once")
        seen.add(name)


def feature_matrix(
    points: np.ndarray, names: Sequence[str], dtype: DTypeLike = np.float64
) -> np.ndarray:
    """Map (N, 2) points to an (N, len(names)) matrix, one column per feature in order.

    ``dtype`` must be a floating type; the arithmetic itself runs in that type, so
    float32 halves both the memory and the time of the per-frame grid evaluation.
    """
    _check_names(names)
    kind = np.dtype(dtype)
    if kind.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {kind}")
    pts = np.asarray(points)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {pts.shape}")
    pts = pts.astype(kind, copy=False)
    x1, x2 = pts[:, 0], pts[:, 1]
    out = np.empty((len(pts), len(names)), dtype=kind)
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name].fn(x1, x2)
    return out
