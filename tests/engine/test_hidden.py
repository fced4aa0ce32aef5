"""Hidden-space view: exact activations, PCA against a direct SVD, the output field."""

from __future__ import annotations

import numpy as np
import pytest

from playground import RunConfig, Trainer
from playground.engine.features import feature_matrix
from playground.engine.hidden import LATTICE_LINES, LATTICE_SAMPLES, lattice_points


def data_of(t: Trainer) -> tuple[np.ndarray, np.ndarray]:
    d = t.data
    return np.concatenate([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test])


def activations(t: Trainer, X: np.ndarray, layer: int) -> np.ndarray:
    return t.network.forward(feature_matrix(X, t.spec.features))[1][layer]


def test_two_unit_layer_is_drawn_in_its_own_axes_exactly() -> None:
    t = Trainer(RunConfig(dataset="circle", hidden=[4, 2], features=["x1", "x2", "x1_sq"]))
    t.run(epochs=3)
    view = t.hidden_space(1)
    X, y = data_of(t)
    assert view.method == "axes" and view.width == 2 and view.components is None
    np.testing.assert_array_equal(view.points, activations(t, X, 1))
    np.testing.assert_array_equal(view.labels, y)
    assert view.n_train == t.data.n_train
    lattice = activations(t, lattice_points(), 1)
    assert view.lattice.shape == (2 * LATTICE_LINES, LATTICE_SAMPLES, 2)
    np.testing.assert_array_equal(view.lattice.reshape(-1, 2), lattice)


def test_wide_layer_uses_top_two_principal_components() -> None:
    t = Trainer(RunConfig(dataset="spiral", hidden=[8, 5], activation="tanh", seed=4))
    t.run(epochs=4)
    view = t.hidden_space(0)
    X, _ = data_of(t)
    A = activations(t, X, 0)
    centered = A - A.mean(axis=0)
    _, s, vt = np.linalg.svd(centered, full_matrices=False)
    expected = (s**2 / (s**2).sum())[:2]
    assert view.method == "pca" and view.points.shape == (len(X), 2)
    np.testing.assert_allclose(view.explained_variance, expected, rtol=1e-10)
    assert 0 < sum(view.explained_variance) <= 1.0
    assert view.components is not None and view.mean is not None
    for got, ref in zip(view.components, vt[:2], strict=True):
        assert abs(float(got @ ref)) == pytest.approx(1.0, abs=1e-10)  # same axis, any sign
    np.testing.assert_allclose(view.points, centered @ view.components.T, atol=1e-12)


def test_three_unit_layer_is_three_dimensional_with_a_volume() -> None:
    t = Trainer(RunConfig(dataset="xor", hidden=[3]))
    view = t.hidden_space(0)
    assert view.points.shape[1] == 3 and view.lattice.shape[2] == 3
    assert view.field is not None and view.field.ndim == 3


def test_field_at_the_last_hidden_layer_is_the_output_unit_over_that_plane() -> None:
    t = Trainer(RunConfig(dataset="circle", hidden=[4, 2]))
    t.run(epochs=5)
    view = t.hidden_space(1)
    W, b = t.network.params[-1]
    ax, ay = view.field_axes
    assert view.field is not None and view.threshold == 0.5
    for i, j in [(0, 0), (3, 17), (31, 5)]:
        z = np.array([ax[i], ay[j]]) @ W + b
        expected = 1 / (1 + np.exp(-z[0]))
        assert view.field[j, i] == pytest.approx(expected, rel=1e-9)


def test_multiclass_field_holds_class_regions() -> None:
    t = Trainer(RunConfig(dataset="blobs_k", problem="multiclass", n_classes=3, hidden=[2]))
    view = t.hidden_space(0)
    assert view.field is not None and view.threshold is None
    assert set(np.unique(view.field)) <= {0.0, 1.0, 2.0}


def test_knocked_out_unit_sits_at_zero_in_hidden_space() -> None:
    t = Trainer(RunConfig(dataset="circle", hidden=[4, 2]))
    t.set_neuron(1, 0, "off")
    assert np.all(t.hidden_space(1).points[:, 0] == 0.0)


@pytest.mark.parametrize("layer", [-1, 2, 1.0, True])
def test_bad_layer_is_rejected_naming_the_field(layer: object) -> None:
    t = Trainer(RunConfig(hidden=[4, 2]))
    with pytest.raises(ValueError, match="layer"):
        t.hidden_space(layer)  # type: ignore[arg-type]
